// Issue #12, point 1, played by two ordinary users of one login node: emb-client never hands its token to
// a listener that is not its user's agent, and two users' agents with default settings do not collide.
import type { ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { AGENT_CLI, CLIENT_CLI, freePort } from '../helpers/agent-process.js';
import { ensureUser, OTHER, runAs, spawnAs, usersProblem, VICTIM, type TestUser } from '../helpers/users.js';

const problem = usersProblem();
if (problem) {
  t.plan(0, `needs two Unix users: ${problem}`);
} else {
  const alice = ensureUser(VICTIM);
  const mallory = ensureUser(OTHER);
  const SECRET = 'tok-alice-0123456789abcdef0123456789abcdef';

  /** A file of the user's own, mode 0600, in their home. */
  function ownFile(u: TestUser, name: string, text: string, mode = 0o600): string {
    const dir = path.join(u.home, 'emb-test');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownSync(dir, u.uid, u.gid);
    const f = path.join(dir, name);
    writeFileSync(f, text, { mode });
    chownSync(f, u.uid, u.gid);
    return f;
  }

  /**
   * A listener that is not an agent: it answers every request 200, claims a proof it cannot know, and prints
   * every Authorization header it receives, which is what a thief would keep.
   */
  const THIEF = `
    const http = require('node:http');
    const where = process.argv[1];
    const srv = http.createServer((req, res) => {
      if (req.headers.authorization) console.log('GOT ' + req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/auth/challenge' ? JSON.stringify({ proof: 'ab'.repeat(32) }) : '[]');
    });
    if (/^\\d+$/.test(where)) srv.listen(Number(where), '127.0.0.1', () => console.log('LISTENING'));
    else srv.listen(where, () => console.log('LISTENING'));`;

  async function thief(u: TestUser, where: string): Promise<{ proc: ChildProcess; seen: () => string }> {
    const proc = spawnAs(u, [process.execPath, '-e', THIEF, where], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    while (!out.includes('LISTENING')) {
      if (proc.exitCode !== null) throw new Error(`the listener did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { proc, seen: () => out };
  }

  t.test("another user's TCP listener never receives the token", async (t) => {
    const tokenFile = ownFile(alice, 'token', `${SECRET}\n`);
    const port = await freePort();
    const m = await thief(mallory, String(port));
    t.teardown(() => m.proc.kill('SIGKILL'));
    const r = await runAs(alice, [
      process.execPath,
      CLIENT_CLI,
      '--url',
      `http://127.0.0.1:${port}`,
      '--token-file',
      tokenFile,
      'ls',
    ]);
    t.equal(r.code, 3, r.stderr);
    t.match(r.stderr, new RegExp(`refusing to send your API token .*held by uid ${mallory.uid}`));
    t.notMatch(m.seen(), /GOT|tok-alice/, 'the listener saw no Authorization header');
  });

  t.test('a listener of the same user that cannot prove the token gets nothing either', async (t) => {
    // The uid check passes (a tunnel of one's own looks the same); the proof is what fails.
    const tokenFile = ownFile(alice, 'token', `${SECRET}\n`);
    const port = await freePort();
    const own = await thief(alice, String(port));
    t.teardown(() => own.proc.kill('SIGKILL'));
    const r = await runAs(alice, [
      process.execPath,
      CLIENT_CLI,
      '--url',
      `http://127.0.0.1:${port}`,
      '--token-file',
      tokenFile,
      'ls',
    ]);
    t.equal(r.code, 3, r.stderr);
    t.match(r.stderr, /could not prove it knows the token/);
    t.notMatch(own.seen(), /GOT|tok-alice/);
  });

  t.test(
    'a socket folder planted in /tmp under the victim’s name is refused by agent and client',
    async (t) => {
      const folder = `/tmp/emb-agent-${alice.uid}`;
      rmSync(folder, { recursive: true, force: true });
      t.teardown(() => rmSync(folder, { recursive: true, force: true }));
      const made = await runAs(mallory, ['mkdir', '-m', '0777', folder]);
      t.equal(made.code, 0, made.stderr);
      await runAs(mallory, ['chmod', '0777', folder]);
      const m = await thief(mallory, path.join(folder, 'agent.sock'));
      t.teardown(() => m.proc.kill('SIGKILL'));

      const tokenFile = ownFile(alice, 'token', `${SECRET}\n`);
      const client = await runAs(alice, [process.execPath, CLIENT_CLI, '--token-file', tokenFile, 'ls'], {
        env: { XDG_CONFIG_HOME: path.join(alice.home, 'emb-test/no-config') },
      });
      t.equal(client.code, 3, client.stderr);
      t.match(client.stderr, new RegExp(`refusing to send your API token to unix:${folder}/agent.sock`));
      t.notMatch(m.seen(), /GOT|tok-alice/, "the planted socket's owner saw no token");

      const config = ownFile(alice, 'config.yaml', agentConfig(alice));
      const agent = await runAs(alice, [process.execPath, AGENT_CLI, 'run', '--config', config], {
        timeoutMs: 60_000,
      });
      t.not(agent.code, 0, 'the agent does not start');
      t.match(
        agent.stdout + agent.stderr,
        new RegExp(`refusing the default socket folder: ${folder} belongs to uid ${mallory.uid}`),
      );
    },
  );

  function agentConfig(u: TestUser): string {
    const base = path.join(u.home, 'emb-test');
    return [
      `workRoot: ${base}/work`,
      `stateDir: ${base}/state`,
      'slurm: { pollSeconds: 2 }',
      'watch: { pollSeconds: 1, logPollSeconds: 1 }',
      '',
    ].join('\n');
  }

  t.test('two users start agents with default settings on one host: each reaches only its own', async (t) => {
    const agents: ChildProcess[] = [];
    t.teardown(() => agents.forEach((p) => p.kill('SIGTERM')));
    const setups = [alice, mallory].map((u) => {
      rmSync(`/tmp/emb-agent-${u.uid}`, { recursive: true, force: true });
      rmSync(path.join(u.home, 'emb-test'), { recursive: true, force: true });
      const config = ownFile(u, 'config.yaml', agentConfig(u));
      for (const d of ['work', 'work/logs', 'work/outputs/shards']) {
        mkdirSync(path.join(u.home, 'emb-test', d), { recursive: true });
        chownSync(path.join(u.home, 'emb-test', d), u.uid, u.gid);
      }
      const proc = spawnAs(u, [process.execPath, AGENT_CLI, 'run', '--config', config], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
      proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
      agents.push(proc);
      return { u, config, proc, out: () => out };
    });
    for (const s of setups) {
      const deadline = Date.now() + 60_000;
      while (!s.out().includes('emb-agent is ready')) {
        if (s.proc.exitCode !== null || Date.now() > deadline)
          throw new Error(`${s.u.name}'s agent did not start:\n${s.out()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (const s of setups) {
      const h = await runAs(s.u, [process.execPath, CLIENT_CLI, '--config', s.config, '--json', 'health']);
      t.equal(h.code, 0, h.stderr);
      const health = JSON.parse(h.stdout) as { pid: number; listen: string };
      t.equal(health.pid, s.proc.pid, `${s.u.name} reaches their own agent`);
      t.equal(health.listen, `unix:/tmp/emb-agent-${s.u.uid}/agent.sock`);
      const ls = await runAs(s.u, [process.execPath, CLIENT_CLI, '--config', s.config, '--json', 'ls']);
      t.equal(ls.code, 0, ls.stderr);
      t.same(JSON.parse(ls.stdout), []);
    }
    // Mallory aims her client at Alice's socket, with her own token: refused before anything is sent.
    const across = await runAs(mallory, [
      process.execPath,
      CLIENT_CLI,
      '--config',
      setups[1]!.config,
      '--url',
      `unix:/tmp/emb-agent-${alice.uid}/agent.sock`,
      'ls',
    ]);
    t.equal(across.code, 3, across.stderr);
    t.match(across.stderr, /belongs to uid|permission denied/);
  });
}
