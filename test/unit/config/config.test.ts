import t from 'tap';
import path from 'node:path';
import { loadConfig, resolveConfig, readRuntimeEnv } from '../../../agent/config/load.js';
import { ConfigError } from '../../../agent/errors.js';

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

t.test('numbers are bounded, each refusal naming its key', async (t) => {
  const problems = (doc: unknown) => {
    try {
      resolveConfig(doc, readRuntimeEnv(env), '/x.yaml');
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };
  t.match(problems({ slurm: { pollSeconds: 0.01 } }), [/^slurm\.pollSeconds: must be at least 1 s/]);
  t.match(problems({ watch: { pollSeconds: 0.5, logPollSeconds: 0 } }), [
    /^watch\.pollSeconds: must be at least 1 s/,
    /^watch\.logPollSeconds: must be at least 1 s/,
  ]);
  // 2^31 ms and more: Node would fire such a timer at once, over and over.
  t.match(problems({ slurm: { commandTimeoutSeconds: 2_147_484 } }), [
    /^slurm\.commandTimeoutSeconds: must be at most 2147483 s \(Node's timer limit/,
  ]);
  t.match(problems({ tokens: { requestTimeoutSeconds: 1e12 } }), [
    /^tokens\.requestTimeoutSeconds: must be at most/,
  ]);
  t.match(problems({ resume: { batchWindowSeconds: 3e9 } }), [
    /^resume\.batchWindowSeconds: must be at most/,
  ]);
  t.match(problems({ resume: { maxAttempts: 1e9 } }), [/^resume\.maxAttempts: /]);
  t.match(problems({ lease: { ttlSeconds: 30, heartbeatSeconds: 30 } }), [
    /^lease\.heartbeatSeconds: 30 s must be below lease\.ttlSeconds \(30 s\)/,
  ]);
  t.same(problems({ slurm: { pollSeconds: 1 }, lease: { ttlSeconds: 90, heartbeatSeconds: 20 } }), []);
});

t.test('tokens.apiBase: http or https only', async (t) => {
  for (const apiBase of ['file:///etc/passwd', 'ftp://x/y', 'data:text/plain,x', 'javascript:alert(1)']) {
    const err = t.throws(
      () => resolveConfig({ tokens: { apiBase } }, readRuntimeEnv(env), '/x.yaml'),
      apiBase,
    );
    t.match(err, { problems: [/^tokens\.apiBase: expected an http:\/\/ or https:\/\/ URL/] }, apiBase);
  }
  t.equal(
    resolveConfig({ tokens: { apiBase: 'http://127.0.0.1:1/api' } }, readRuntimeEnv(env), null).tokens
      .apiBase,
    'http://127.0.0.1:1/api',
  );
});

t.test('watch.shardDirs: "*" and "**" only as the last parts', async (t) => {
  const problems = (doc: unknown) => {
    try {
      resolveConfig(doc, readRuntimeEnv(env), '/x.yaml');
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };
  for (const ok of ['outputs/shards/*/**', 'outputs/shards/tessera/**', 'outputs/shards/*', '/abs/dir']) {
    t.same(problems({ watch: { shardDirs: [ok, { path: ok }] } }), [], ok);
  }
  for (const bad of ['outputs/**/shards', 'outputs/*/x', 'outputs/shards*']) {
    t.match(problems({ watch: { shardDirs: [bad] } }), [/^watch\.shardDirs\.0.*only as the last parts/], bad);
  }
});

t.test('a unix socket path past 107 bytes is refused, naming the path and the limit', async (t) => {
  const long = `/tmp/${'d'.repeat(92)}/agent.sock`; // 108 bytes: Node 20 would cut it silently
  const err = t.throws(() =>
    resolveConfig({ api: { listen: `unix:${long}` } }, readRuntimeEnv(env), '/x.yaml'),
  ) as ConfigError;
  t.match(err, { code: 'AGENT_ERR_CONFIG_INVALID', name: 'ConfigError' });
  t.match(err.problems, [`api.listen: the socket path ${long} is 108 bytes; unix sockets allow at most 107`]);
  const fits = long.replace('/agent.sock', '/agent.so');
  t.match(resolveConfig({ api: { listen: `unix:${fits}` } }, readRuntimeEnv(env), null).api.listen, {
    kind: 'unix',
    path: fits,
  });
});

t.test('an unreadable config file is a coded error with its cause', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'a: [1\n' });
  const missing = t.throws(() => loadConfig(path.join(dir, 'none.yaml'), env)) as ConfigError;
  t.match(missing, { code: 'AGENT_ERR_CONFIG_UNREADABLE', cause: { code: 'ENOENT' } });
  const yaml = t.throws(() => loadConfig(path.join(dir, 'bad.yaml'), env)) as ConfigError;
  t.match(yaml, { code: 'AGENT_ERR_CONFIG_UNREADABLE', message: /not valid YAML/ });
  t.ok(yaml.cause, 'the parser error is kept as the cause');
});
