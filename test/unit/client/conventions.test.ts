// emb-client's conventions, run in-process against a real agent app: --version, a bare call, help for every
// command, --json errors on stderr, named contexts.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { buildApp } from '../../../agent/http/app.js';
import { listenApp } from '../../../agent/http/listen.js';
import { main } from '../../../client/main.js';
import { COMMANDS } from '../../../client/registry.js';
import { makeDeps, openRepos, seed, TOKEN } from '../../helpers/http-fixtures.js';

type Tap = { testdir(): string; teardown(fn: () => unknown): void };

async function run(argv: string[], env: NodeJS.ProcessEnv = { HOME: '/nonexistent' }, columns?: number) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, env, '/', {
    out: (s) => (stdout += s),
    err: (s) => (stderr += s),
    columns,
  });
  return { code, stdout, stderr };
}

async function agent(t: Tap) {
  const dir = t.testdir();
  const repos = openRepos(dir);
  seed(repos);
  const tokenFile = path.join(dir, 'api-token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const app = buildApp(makeDeps(repos));
  t.teardown(() => app.close());
  const where = await listenApp(
    app,
    { kind: 'tcp', host: '127.0.0.1', port: 0 },
    { allowNonLoopback: false },
  );
  return { dir, url: `http://${where}`, tokenFile };
}

t.test('--version, and a bare emb-client prints usage to stdout with exit 0', async (t) => {
  const v = await run(['--version']);
  t.equal(v.code, 0);
  t.match(v.stdout, /^emb-client \d+\.\d+\.\d+\n$/);
  t.equal((await run(['-V'])).stdout, v.stdout);
  const bare = await run([]);
  t.equal(bare.code, 0);
  t.match(bare.stdout, /^usage: emb-client/);
  t.equal(bare.stderr, '');
  const wrong = await run(['lss']);
  t.equal(wrong.code, 2, 'a usage error stays exit 2');
});

t.test("every command's own help: help CMD and CMD --help", async (t) => {
  for (const [name, def] of Object.entries(COMMANDS)) {
    if (def.hidden) continue;
    const a = await run(['help', name]);
    const b = await run([name, '--help']);
    t.equal(a.code, 0, `help ${name}`);
    t.equal(b.code, 0, `${name} --help`);
    t.equal(a.stdout, b.stdout, `${name}: both ways print the same`);
    t.match(a.stdout, new RegExp(`^usage: emb-client ${name}`), name);
    for (const option of Object.keys(def.options))
      t.match(a.stdout, `--${option}`, `${name} lists --${option}`);
    if (def.examples.length) t.match(a.stdout, /\nexamples:\n {2}\S/, `${name} has examples`);
  }
  const overview = await run(['help']);
  for (const [name, def] of Object.entries(COMMANDS)) {
    if (!def.hidden) t.match(overview.stdout, new RegExp(`\\n {2}${name}\\b`), `usage lists ${name}`);
  }
  t.notMatch(overview.stdout, /__complete/, 'the completion helper is not listed');
  t.equal((await run(['help', 'nope'])).code, 2);
  t.equal((await run(['submit', '--help', '--', 'x.sbatch'])).code, 0, '--help wins over running');
});

t.test('--json: errors are one JSON object on stderr', async (t) => {
  const usage = await run(['--json', 'show']);
  t.equal(usage.code, 2);
  t.equal(usage.stdout, '');
  t.same(JSON.parse(usage.stderr), {
    error: {
      code: 'EMB_CLIENT_USAGE',
      message: usage.stderr && JSON.parse(usage.stderr).error.message,
      exitCode: 2,
    },
  });
  t.match(JSON.parse(usage.stderr).error.message, /show takes one TARGET/);
  const parse = await run(['ls', '--json', '--bogus']);
  t.match(
    JSON.parse(parse.stderr),
    { error: { code: 'EMB_CLIENT_USAGE', exitCode: 2 } },
    'even when parsing fails',
  );

  const a = await agent(t);
  const base = ['--url', a.url, '--token-file', a.tokenFile, '--json'];
  const api = await run([...base, 'show', '#99']);
  t.equal(api.code, 1);
  const e = JSON.parse(api.stderr) as {
    error: { code: string; status: number; message: string; exitCode: number };
  };
  t.match(e.error, { status: 404, exitCode: 1 });
  t.match(e.error.code, /^AGENT_ERR_/);
  t.notMatch(e.error.message, /^AGENT_ERR_/, 'the message without the code in front');

  const down = await run(['--url', 'http://127.0.0.1:1', '--token-file', a.tokenFile, '--json', 'ls']);
  t.equal(down.code, 3);
  t.match(JSON.parse(down.stderr), { error: { code: 'EMB_CLIENT_UNREACHABLE', exitCode: 3 } });
  const plain = await run(['show']);
  t.match(plain.stderr, /^emb-client: show takes one TARGET/, 'without --json, a line of text as before');
});

t.test('named contexts: --context, EMB_CONTEXT, the default; the single-agent setup unchanged', async (t) => {
  const a = await agent(t);
  const home = path.join(a.dir, 'home');
  const cfg = path.join(home, '.config', 'emb-agent');
  mkdirSync(cfg, { recursive: true });
  const env = { HOME: home, USER: 'u' };
  // No client.yaml: as before, the agent's config (here: none, so the default socket, which is absent).
  const before = await run(['ls'], env);
  t.equal(before.code, 2, 'no token at the default place');
  t.match(before.stderr, /cannot read the API token/);

  writeFileSync(
    path.join(cfg, 'client.yaml'),
    [
      'default: down',
      'contexts:',
      '  betzy:',
      `    url: ${a.url}`,
      `    tokenFile: ${a.tokenFile}   # a copy of the agent's token`,
      '  down:',
      '    url: http://127.0.0.1:1',
      `    tokenFile: ${a.tokenFile}`,
      '',
    ].join('\n'),
  );
  const betzy = await run(['--context', 'betzy', 'ls'], env);
  t.equal(betzy.code, 0, betzy.stderr);
  t.match(betzy.stdout, /^#1 {2}build_shards/m);
  t.equal((await run(['ls'], env)).code, 3, 'the default context is used without --context');
  t.equal((await run(['ls'], { ...env, EMB_CONTEXT: 'betzy' })).code, 0, 'EMB_CONTEXT chooses one');
  t.equal(
    (await run(['--context', 'betzy', 'ls'], { ...env, EMB_AGENT_URL: 'http://127.0.0.1:1' })).code,
    0,
    '--context beats EMB_AGENT_URL',
  );
  t.equal((await run(['ls'], { ...env, EMB_AGENT_URL: a.url })).code, 0, 'EMB_AGENT_URL beats the default');
  t.equal((await run(['--url', a.url, 'ls'], env)).code, 0, '--url beats the context (its token file stays)');
  const unknown = await run(['--context', 'saga', 'ls'], env);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /--context saga: no such context in .*client\.yaml; known: betzy, down/);

  // A context may name an agent config instead: its api.listen and <stateDir>/api-token.
  const agentConfig = path.join(home, 'agent.yaml');
  writeFileSync(agentConfig, `stateDir: ${a.dir}\napi:\n  listen: ${new URL(a.url).host}\n`);
  writeFileSync(path.join(cfg, 'client.yaml'), `contexts:\n  here:\n    config: ../../agent.yaml\n`);
  const here = await run(['--context', 'here', 'ls'], env);
  t.equal(here.code, 0, `a context by its agent config (relative to client.yaml): ${here.stderr}`);

  // Flow style is valid YAML too: the real parser reads it.
  writeFileSync(
    path.join(cfg, 'client.yaml'),
    `contexts: { betzy: { url: "${a.url}", tokenFile: "${a.tokenFile}" } }\n`,
  );
  t.equal((await run(['--context', 'betzy', 'ls'], env)).code, 0, 'flow-style file');
  writeFileSync(path.join(cfg, 'client.yaml'), 'contexts:\n  betzy:\n    urll: x\n');
  t.match((await run(['--context', 'betzy', 'ls'], env)).stderr, /contexts\.betzy\.urll: unknown key/);
});

t.test('ls fits the terminal it prints to', async (t) => {
  const a = await agent(t);
  const wide = await run(['--url', a.url, '--token-file', a.tokenFile, 'ls']);
  const narrow = await run(['--url', a.url, '--token-file', a.tokenFile, 'ls'], undefined, 60);
  t.ok(
    wide.stdout.split('\n').some((l) => l.length > 60),
    'piped: whole lines',
  );
  const rows = narrow.stdout.split('\n').filter((l) => l.startsWith('    '));
  for (const l of rows) t.ok(l.length <= 60, l);
  t.match(narrow.stdout, /job 1000_10 +disk-quota: .*…$/m);
});
