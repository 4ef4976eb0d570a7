// The daemon as an operator meets it: one agent per stateDir (the second names the first), every route
// closed without the token, loopback only unless asked, a 0600 socket, and clean exits with their codes.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { AGENT_CLI, startAgent } from '../helpers/agent-process.js';

function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function runAgent(configPath: string, timeoutMs = 20_000) {
  return spawnSync(process.execPath, [AGENT_CLI, 'run', '--config', configPath], {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}

t.test('a second agent on the same stateDir refuses and names the first (exit 3)', async (t) => {
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const second = runAgent(agent.configPath);
  t.equal(second.status, 3);
  t.match(second.stdout + second.stderr, new RegExp(`already runs on \\S+ \\(pid ${agent.proc.pid}`));
});

t.test('every route answers 401 without the right token; the token opens them', async (t) => {
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  for (const route of ['/health', '/submissions', '/events', '/metrics', '/openapi.json', '/no-such-route']) {
    t.equal(await status(agent.url + route), 401, `${route} without a token`);
    t.equal(
      await status(agent.url + route, { authorization: 'Bearer wrong' }),
      401,
      `${route} with a wrong one`,
    );
  }
  const token = readFileSync(path.join(agent.stateDir, 'api-token'), 'utf8').trim();
  t.equal(await status(`${agent.url}/health`, { authorization: `Bearer ${token}` }), 200);
  const metrics = await agent.client(['health']);
  t.equal(metrics.code, 0);
  t.equal(statSync(path.join(agent.stateDir, 'api-token')).mode & 0o777, 0o600);
});

t.test('SIGTERM stops cleanly with exit 0 and releases the lease', async (t) => {
  const agent = await startAgent(t.testdir());
  t.equal(await agent.stop('SIGTERM'), 0);
  const again = await startAgent(agent.dir);
  t.equal(await again.stop('SIGINT'), 0, 'a new agent takes the released lease at once');
});

t.test('listening beyond loopback is refused unless the config says so', async (t) => {
  const dir = t.testdir();
  const configPath = path.join(dir, 'config.yaml');
  writeFileSync(
    configPath,
    stringify({ workRoot: dir, stateDir: path.join(dir, 'state'), api: { listen: '0.0.0.0:18799' } }),
  );
  const r = runAgent(configPath);
  t.equal(r.status, 2);
  t.match(r.stdout + r.stderr, /not a loopback address.*allowNonLoopback/);
});

t.test('a unix socket is created 0600', async (t) => {
  const dir = t.testdir();
  // Not under the test folder: a clone in a long path would pass the 107-byte limit of socket paths.
  const sockDir = mkdtempSync(path.join(os.tmpdir(), 'emb-sock-'));
  t.teardown(() => rmSync(sockDir, { recursive: true, force: true }));
  const sock = path.join(sockDir, 'api.sock');
  const agent = await startAgent(dir, { api: { listen: `unix:${sock}` } });
  t.teardown(() => agent.stop());
  t.equal(statSync(sock).mode & 0o777, 0o600);
  const r = await agent.client(['health']);
  t.equal(r.code, 0, r.stderr);
});
