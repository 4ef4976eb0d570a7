// The copied client: dist/emb-client.mjs alone in an empty folder (no node_modules, no package.json), run by
// Node 20 and, when cached, Node 22 and 24, against a real agent on the test cluster: what a laptop does
// through a tunnel. Also `emb-agent --version` and `emb-agent check --json` of the built agent.
import { execFile, execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { AGENT_CLI, ROOT, startAgent } from '../helpers/agent-process.js';

const run = promisify(execFile);
const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

/** Node binaries of another major cached by scripts/test-node.sh (the newest patch release there). */
function cachedNode(major: number): string | undefined {
  const cache = process.env.EMB_NODE_CACHE || '/var/cache/emb-node';
  let names: string[];
  try {
    names = readdirSync(cache);
  } catch (err) {
    void err;
    return undefined;
  }
  const found = names
    .filter((n) => n.startsWith(`node-v${major}.`))
    .map((n) => path.join(cache, n, 'bin', 'node'))
    .filter((p) => existsSync(p))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return found.at(-1);
}

async function exec(node: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  try {
    const r = await run(node, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

// Built from this tree into a folder of its own, then copied alone into an empty one.
const buildDir = mkdtempSync(path.join(tmpdir(), 'emb-bundle-build-'));
const laptop = mkdtempSync(path.join(tmpdir(), 'emb-laptop-'));
t.teardown(() => {
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(laptop, { recursive: true, force: true });
});
execFileSync(
  process.execPath,
  [path.join(ROOT, 'scripts/bundle-client.mjs'), '--outfile', path.join(buildDir, 'emb-client.mjs')],
  {
    stdio: 'pipe',
  },
);
const bundle = path.join(laptop, 'emb-client.mjs');
copyFileSync(path.join(buildDir, 'emb-client.mjs'), bundle);

t.test('the bundle imports only Node built-ins and its own data: chunks', async (t) => {
  const text = readFileSync(bundle, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"']+)["']/g)].map(
    (m) => m[1] as string,
  );
  const foreign = specifiers.filter((s) => !s.startsWith('node:') && !s.startsWith('data:text/javascript'));
  t.same(foreign, [], 'no package, no relative file, no native addon');
  t.notMatch(text, /\.node["']/, 'no .node addon');
  t.same(readdirSync(laptop), ['emb-client.mjs'], 'the folder holds that one file');
});

t.test('Node 20, 22, 24: --version and real commands against a real agent', async (t) => {
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const tokenFile = path.join(agent.stateDir, 'api-token');
  // The laptop's home: a copy of the token and a client config naming this agent (flow style: the yaml
  // parser, a lazy chunk of the bundle, reads it).
  const home = path.join(laptop, 'home');
  mkdirSync(path.join(home, '.config', 'emb-agent'), { recursive: true });
  copyFileSync(tokenFile, path.join(home, 'token'));
  writeFileSync(
    path.join(home, '.config', 'emb-agent', 'client.yaml'),
    `{ default: betzy, contexts: { betzy: { url: "${agent.url}", tokenFile: ~/token } } }\n`,
  );
  const env = { PATH: '/usr/bin:/bin', HOME: home };
  const nodes: [string, string | undefined][] = [
    ['20', process.execPath],
    ['22', cachedNode(22)],
    ['24', cachedNode(24)],
  ];
  for (const [major, node] of nodes) {
    if (!node) {
      const why = `Node ${major} is not cached in ${process.env.EMB_NODE_CACHE || '/var/cache/emb-node'}: run scripts/test-node.sh ${major} once`;
      if (process.env.CI === 'true') t.fail(why);
      else t.comment(`skipped: ${why}`);
      continue;
    }
    const real = (await exec(node, ['--version'], laptop, env)).stdout.trim();
    t.match(real, new RegExp(`^v${major}\\.`), `${node} is Node ${major}`);
    const v = await exec(node, [bundle, '--version'], laptop, env);
    t.equal(v.stdout, `emb-client ${version}\n`, `Node ${major}: --version`);
    const health = await exec(node, [bundle, '--json', 'health'], laptop, env);
    t.equal(health.code, 0, `Node ${major}: health through the default context: ${health.stderr}`);
    t.match(JSON.parse(health.stdout), { ok: true, scheduler: { available: true } });
    const ls = await exec(
      node,
      [bundle, '--url', agent.url, '--token-file', tokenFile, '--check', 'ls'],
      laptop,
      env,
    );
    t.equal(ls.code, 0, `Node ${major}: ls --check (zod, a lazy chunk): ${ls.stderr}`);
    t.match(ls.stdout, /no submissions yet/);
    const bare = await exec(node, [bundle], laptop, env);
    t.equal(bare.code, 0);
    t.match(bare.stdout, /^usage: emb-client/);
    const down = await exec(
      node,
      [bundle, '--url', 'http://127.0.0.1:1', '--token-file', tokenFile, '--json', 'ls'],
      laptop,
      env,
    );
    t.equal(down.code, 3);
    t.match(JSON.parse(down.stderr), { error: { code: 'EMB_CLIENT_UNREACHABLE' } });
  }
});

t.test('emb-agent --version and check --json', async (t) => {
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const v = await exec(process.execPath, [AGENT_CLI, '--version'], dir, process.env);
  t.equal(v.stdout, `emb-agent ${version}\n`);
  const check = await exec(
    process.execPath,
    [AGENT_CLI, 'check', '--json', '--config', agent.configPath],
    dir,
    process.env,
  );
  t.not(check.stdout, '', check.stderr);
  t.doesNotThrow(() => JSON.parse(check.stdout), 'check --json prints JSON');
});
