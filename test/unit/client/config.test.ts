import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { readClientConfig, resolveKeys, scanConfig } from '../../../client/config.js';
import { parseEndpoint, resolveConnection } from '../../../client/connection.js';

const env = { HOME: '/home/u', USER: 'u' };

t.test('scanConfig reads simple files as the yaml package does', async (t) => {
  const docs = [
    'stateDir: /cluster/home/u/.emb-state\napi:\n  listen: 127.0.0.1:9999\n  tokenFile: tok\n',
    '# comment\nworkRoot: /w\napi:\n    listen: "unix:/run/u/emb.sock"   # the socket\n    allowNonLoopback: false\nslurm:\n  pollSeconds: 30\n',
    "stateDir: '~/state'\nwatch:\n  shardDirs:\n    - outputs/shards/*\n  listen: not-this-one\n",
    'api:\n  nested:\n    listen: deeper-not-api\n  listen: localhost:8000\n',
    'log:\n  level: debug\n',
    '',
  ];
  for (const text of docs) {
    const fast = scanConfig(text);
    t.ok(fast, `scanned: ${JSON.stringify(text.slice(0, 30))}`);
    const doc = (parse(text) ?? {}) as { stateDir?: string; api?: { listen?: string; tokenFile?: string } };
    t.same(
      fast,
      JSON.parse(
        JSON.stringify({ stateDir: doc.stateDir, listen: doc.api?.listen, tokenFile: doc.api?.tokenFile }),
      ),
    );
  }
});

t.test('scanConfig gives up on anything beyond simple lines that matter', async (t) => {
  for (const text of [
    'api: { listen: "127.0.0.1:1" }\n',
    'api: &a\n  listen: x\n',
    'stateDir: *ref\n',
    'stateDir: |\n  /x\n',
    '"api":\n  listen: x\n',
    '---\napi:\n  listen: x\n',
    'api:\n  - listen\n',
    'stateDir: "a\\tb"\n',
    'api:\n\tlisten: x\n',
  ]) {
    t.equal(scanConfig(text), null, JSON.stringify(text));
  }
});

t.test('readClientConfig: falls back to the yaml package, resolves like the agent', async (t) => {
  const dir = t.testdir({
    'flow.yaml': 'stateDir: ~/s\napi: { listen: "unix:/tmp/x.sock", tokenFile: /abs/tok }\n',
    'plain.yaml': 'stateDir: state\napi:\n  tokenFile: $HOME/tok\n',
    'bad.yaml': 'api: [\n',
  });
  const flow = await readClientConfig(path.join(dir, 'flow.yaml'), env);
  t.same(flow, {
    path: path.join(dir, 'flow.yaml'),
    stateDir: '/home/u/s',
    listen: 'unix:/tmp/x.sock',
    tokenFile: '/abs/tok',
  });
  const plain = await readClientConfig(path.join(dir, 'plain.yaml'), env);
  t.same(plain, {
    path: path.join(dir, 'plain.yaml'),
    stateDir: '/home/u/state',
    listen: undefined,
    tokenFile: '/home/u/tok',
  });
  await t.rejects(readClientConfig(path.join(dir, 'bad.yaml'), env), /is not valid YAML/);
  await t.rejects(
    readClientConfig(path.join(dir, 'missing.yaml'), env),
    /cannot read config/,
    'an explicit file must exist',
  );
  const none = await readClientConfig(undefined, { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'nothing') });
  t.same(none, {
    path: null,
    stateDir: path.join(dir, '.local/state/emb-agent'),
    listen: undefined,
    tokenFile: path.join(dir, '.local/state/emb-agent/api-token'),
  });
  t.same(
    resolveKeys({ tokenFile: 'api-token' }, null, env).tokenFile,
    '/home/u/.local/state/emb-agent/api-token',
  );
});

t.test('endpoints', async (t) => {
  t.match(parseEndpoint('http://127.0.0.1:8787', 'x'), {
    kind: 'tcp',
    host: '127.0.0.1',
    port: 8787,
    display: 'http://127.0.0.1:8787',
  });
  t.match(
    parseEndpoint('0.0.0.0:9000', 'x'),
    { kind: 'tcp', host: '127.0.0.1', port: 9000 },
    'listening everywhere: connect on loopback',
  );
  t.match(parseEndpoint('[::1]:9000', 'x'), {
    kind: 'tcp',
    host: '::1',
    port: 9000,
    display: 'http://[::1]:9000',
  });
  t.match(parseEndpoint('unix:/run/x.sock', 'x'), { kind: 'unix', socketPath: '/run/x.sock' });
  t.throws(() => parseEndpoint('unix:rel.sock', '--url'), /--url: a unix socket path must be absolute/);
  t.throws(() => parseEndpoint('https://h:1', '--url'), /plain HTTP/);
  t.throws(() => parseEndpoint('http://', '--url'), /not a URL/);
});

t.test('connection: flags, then variables, then the config', async (t) => {
  const dir = t.testdir({ 'c.yaml': 'stateDir: /st\napi:\n  listen: 127.0.0.1:7000\n' });
  const g = {
    context: undefined,
    version: false,
    config: path.join(dir, 'c.yaml'),
    url: undefined,
    tokenFile: undefined,
    json: false,
    check: false,
    help: false,
  };
  const fromConfig = await resolveConnection(g, env);
  t.equal(fromConfig.endpoint.display, 'http://127.0.0.1:7000');
  t.equal(fromConfig.tokenFile, '/st/api-token');
  const fromEnv = await resolveConnection(g, {
    ...env,
    EMB_AGENT_URL: 'unix:/s.sock',
    EMB_AGENT_TOKEN_FILE: '/t',
  });
  t.equal(fromEnv.endpoint.display, 'unix:/s.sock');
  t.equal(fromEnv.tokenFile, '/t');
  writeFileSync(path.join(dir, 'c.yaml'), 'api: [broken');
  const fromFlags = await resolveConnection({ ...g, url: 'http://127.0.0.1:1', tokenFile: '/f' }, env);
  t.equal(fromFlags.endpoint.display, 'http://127.0.0.1:1', 'with both flags the config is not read at all');
});
