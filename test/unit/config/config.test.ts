import t from 'tap';
import path from 'node:path';
import { ConfigError, loadConfig, resolveConfig, readRuntimeEnv } from '../../../agent/config/load.js';

const env = { USER: 'digifarm', HOME: '/home/digifarm', PATH: '/usr/bin' };

t.test('defaults follow the users guide', async (t) => {
  const c = resolveConfig({}, readRuntimeEnv(env), null);
  t.equal(c.workRoot, '/cluster/work/users/digifarm/emb');
  t.equal(c.watch.logsDir, '/cluster/work/users/digifarm/emb/logs');
  t.equal(c.watch.shardDirs[0]?.path, '/cluster/work/users/digifarm/emb/outputs/shards/*');
  t.equal(c.tokens.outDir, '/cluster/work/users/digifarm/emb/tmp/sas');
  t.equal(c.stateDir, '/home/digifarm/.local/state/emb-agent');
  t.equal(c.api.tokenFile, '/home/digifarm/.local/state/emb-agent/api-token');
  // No shared port by default: a socket in a 0700 folder of the user's (no XDG_RUNTIME_DIR here: /tmp).
  t.match(c.api.listen, { kind: 'unix', path: `/tmp/emb-agent-${process.getuid?.()}/agent.sock` });
  t.equal(c.api.listenText, `unix:/tmp/emb-agent-${process.getuid?.()}/agent.sock`);
  t.equal(c.slurm.pollSeconds, 60);
  t.equal(c.tokens.refreshMarginSeconds, 900);
});

t.test('unknown keys are refused with their path', async (t) => {
  const err = t.throws(() =>
    resolveConfig({ watch: { pollSecs: 5 }, bogus: 1 }, readRuntimeEnv(env), '/x.yaml'),
  ) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.match(err.problems.join('\n'), /watch\.pollSecs: unknown key/);
  t.match(err.problems.join('\n'), /bogus: unknown key/);
  t.match(err.message, /\/x\.yaml/);
});

t.test('bad values are refused with their path', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ slurm: { pollSeconds: -1 } }, /slurm\.pollSeconds/],
    [{ api: { listen: 'everywhere' } }, /api\.listen/],
    [{ api: { listen: 'unix:relative' } }, /api\.listen/],
    [{ tokens: { collections: ['bad collection!'] } }, /tokens\.collections\.0/],
    [{ diagnose: { rules: [{ cause: 'x', pattern: '(', hint: 'h' }] } }, /diagnose\.rules\.0\.pattern/],
    [{ workRoot: 5 }, /workRoot/],
  ];
  for (const [doc, re] of cases) {
    const err = t.throws(() => resolveConfig(doc, readRuntimeEnv(env), null)) as ConfigError;
    t.match(err.problems.join('\n'), re, JSON.stringify(doc));
  }
});

t.test('paths: ~ and $USER expand; relative paths hang off workRoot or stateDir', async (t) => {
  const c = resolveConfig(
    {
      workRoot: '~/emb',
      stateDir: '/tmp/$USER/state',
      watch: { shardDirs: ['out', { path: '/abs', target: 10 }] },
    },
    readRuntimeEnv(env),
    null,
  );
  t.equal(c.workRoot, '/home/digifarm/emb');
  t.equal(c.stateDir, '/tmp/digifarm/state');
  t.same(
    c.watch.shardDirs.map((d) => [d.path, d.target]),
    [
      ['/home/digifarm/emb/out', undefined],
      ['/abs', 10],
    ],
  );
});

t.test('the file: EMB_AGENT_CONFIG and --config; a missing default file means defaults', async (t) => {
  const dir = t.testdir({ 'c.yaml': 'workRoot: /w\nslurm:\n  pollSeconds: 5\n', 'bad.yaml': 'a: [1,\n' });
  t.equal(loadConfig(path.join(dir, 'c.yaml'), env).slurm.pollSeconds, 5);
  t.equal(loadConfig(undefined, { ...env, EMB_AGENT_CONFIG: path.join(dir, 'c.yaml') }).workRoot, '/w');
  t.equal(loadConfig(undefined, { ...env, HOME: dir }).configPath, null);
  t.throws(() => loadConfig(path.join(dir, 'missing.yaml'), env), /cannot read config/);
  t.throws(() => loadConfig(path.join(dir, 'bad.yaml'), env), /not valid YAML/);
});
