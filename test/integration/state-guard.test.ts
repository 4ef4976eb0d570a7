// State only its owner can touch, played with two Unix accounts: emb-mallory, in a group with emb-alice,
// replaces the database in alice's group-writable state folder; alice's agent refuses to start and says which
// path and how to fix it, and goes on refusing a database, a lease or a token that is mallory's, a symlink or
// a hard link. Started with umask 000 it still makes every state file 0600 and every folder 0700.
import t, { type Test } from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  chownSync,
  linkSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { AGENT_CLI, freePort } from '../helpers/agent-process.js';
import { OTHER, VICTIM, ensureUser, runAs, spawnAs, usersProblem, type TestUser } from '../helpers/users.js';

const GROUP = 'emb-team';

interface Setup {
  alice: TestUser;
  mallory: TestUser;
  dir: string;
  stateDir: string;
  config: string;
}

function setUp(t: Test, name: string): Setup | null {
  const problem = usersProblem();
  if (problem) {
    t.plan(0, problem);
    return null;
  }
  const alice = ensureUser(VICTIM);
  const mallory = ensureUser(OTHER);
  try {
    execFileSync('getent', ['group', GROUP], { stdio: 'ignore' });
  } catch {
    execFileSync('groupadd', [GROUP]);
  }
  for (const u of [alice, mallory]) execFileSync('usermod', ['-aG', GROUP, u.name]);
  const dir = path.join(alice.home, `state-guard-${name}-${process.pid}`);
  const stateDir = path.join(dir, 'state');
  mkdirSync(path.join(dir, 'work'), { recursive: true });
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    stringify({
      workRoot: path.join(dir, 'work'),
      stateDir,
      api: { listen: '127.0.0.1:0' },
      slurm: { pollSeconds: 5 },
      log: { level: 'info' },
    }),
  );
  execFileSync('chown', ['-R', `${alice.uid}:${alice.gid}`, dir]);
  chmodSync(alice.home, 0o700);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { alice, mallory, dir, stateDir, config };
}

/** `emb-agent run` as alice, expected to refuse: its exit code and everything it printed. */
async function runRefused(s: Setup): Promise<{ code: number | null; out: string }> {
  const r = await runAs(s.alice, [process.execPath, AGENT_CLI, 'run', '--config', s.config], {
    timeoutMs: 30_000,
  });
  return { code: r.code, out: r.stdout + r.stderr };
}

t.test('a group member plants a database: the agent refuses, naming the path and the fix', async (t) => {
  const s = setUp(t, 'planted');
  if (!s) return;
  // Alice's state folder is group-writable (a team folder, a loose umask): mallory drops her own database in.
  mkdirSync(s.stateDir);
  chownSync(s.stateDir, s.alice.uid, s.alice.gid);
  execFileSync('chgrp', [GROUP, s.stateDir]);
  chmodSync(s.stateDir, 0o770);
  chmodSync(s.alice.home, 0o750);
  execFileSync('chgrp', [GROUP, s.alice.home]);
  // Alice's home as other tests expect it: hers alone.
  t.teardown(() => {
    chownSync(s.alice.home, s.alice.uid, s.alice.gid);
    chmodSync(s.alice.home, 0o700);
  });
  execFileSync('chgrp', [GROUP, s.dir]);
  chmodSync(s.dir, 0o750);
  const planted = path.join(s.stateDir, 'agent.db');
  // runuser, not runAs: it sets mallory's supplementary groups (the team), as a login would.
  const m = await new Promise<{ code: number | null }>((resolve) => {
    const c = spawn('runuser', [
      '-u',
      s.mallory.name,
      '--',
      'sh',
      '-c',
      `printf 'SQLite format 3' > '${planted}'`,
    ]);
    c.on('close', (code) => resolve({ code }));
  });
  t.equal(m.code, 0, 'mallory could write into the group-writable folder');
  t.equal(statSync(planted).uid, s.mallory.uid);

  let r = await runRefused(s);
  t.equal(r.code, 2, 'refused as a config error (systemd does not restart it)');
  t.match(r.out, `${s.stateDir}: writable by group`);
  t.match(r.out, `chmod 700 ${s.stateDir}`);
  t.match(r.out, `${planted}: owned by uid ${s.mallory.uid}`, 'the planted database is named too');

  const check = await runAs(s.alice, [process.execPath, AGENT_CLI, 'check', '--config', s.config], {
    timeoutMs: 60_000,
  });
  t.not(check.code, 0, '`emb-agent check` fails');
  t.match(check.stdout, `FAIL state: ${s.stateDir}: writable by group`);
  t.match(check.stdout, `FAIL state: ${planted}: owned by uid ${s.mallory.uid}`);

  // Alice follows the advice for the folder; mallory's file is still refused.
  await runAs(s.alice, ['chmod', '700', s.stateDir]);
  r = await runRefused(s);
  t.equal(r.code, 2);
  t.notMatch(r.out, 'writable by group');
  t.match(r.out, `${planted}: owned by uid ${s.mallory.uid}`);
});

t.test('a folder above the state that others can write is refused', async (t) => {
  const s = setUp(t, 'ancestor');
  if (!s) return;
  chmodSync(s.dir, 0o777);
  const r = await runRefused(s);
  t.equal(r.code, 2);
  t.match(r.out, `${s.dir}: writable by group and others`);
  t.match(r.out, `chmod go-w ${s.dir}`);
});

t.test('a symlinked database, a hard-linked lease and a foreign token are refused', async (t) => {
  const s = setUp(t, 'links');
  if (!s) return;
  mkdirSync(s.stateDir, { mode: 0o700 });
  const elsewhere = path.join(s.dir, 'elsewhere.db');
  writeFileSync(elsewhere, '');
  symlinkSync(elsewhere, path.join(s.stateDir, 'agent.db'));
  writeFileSync(path.join(s.stateDir, 'agent.lease'), '{}');
  linkSync(path.join(s.stateDir, 'agent.lease'), path.join(s.dir, 'second-name'));
  execFileSync('chown', ['-R', `${s.alice.uid}:${s.alice.gid}`, s.dir]);
  writeFileSync(path.join(s.stateDir, 'api-token'), 'mallorys-own-token-0123456789\n');
  chownSync(path.join(s.stateDir, 'api-token'), s.mallory.uid, s.mallory.gid);
  const r = await runRefused(s);
  t.equal(r.code, 2);
  t.match(r.out, `${path.join(s.stateDir, 'agent.db')}: a symbolic link`);
  t.match(r.out, `${path.join(s.stateDir, 'agent.lease')}: has 2 hard links`);
  t.match(r.out, `${path.join(s.stateDir, 'api-token')}: owned by uid ${s.mallory.uid}`);
});

t.test('with umask 000 every state file is 0600 and every folder 0700', async (t) => {
  const s = setUp(t, 'umask');
  if (!s) return;
  const port = await freePort();
  writeFileSync(
    s.config,
    stringify({
      workRoot: path.join(s.dir, 'work'),
      stateDir: path.join(s.stateDir, 'nested'),
      api: { listen: `127.0.0.1:${port}` },
      slurm: { pollSeconds: 5 },
    }),
  );
  chownSync(s.config, s.alice.uid, s.alice.gid);
  const agent = spawnAs(
    s.alice,
    ['sh', '-c', `umask 000; exec "$0" "$@"`, process.execPath, AGENT_CLI, 'run', '--config', s.config],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  agent.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  agent.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  t.teardown(() => {
    if (agent.exitCode === null) agent.kill('SIGKILL');
  });
  for (let i = 0; i < 120 && !out.includes('emb-agent is ready'); i++) {
    if (agent.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  t.match(out, 'emb-agent is ready', 'the agent started');
  for (const d of [s.stateDir, path.join(s.stateDir, 'nested')]) {
    t.equal(statSync(d).mode & 0o777, 0o700, `${path.basename(d)}/ is 0700`);
  }
  const files = readdirSync(path.join(s.stateDir, 'nested'));
  t.ok(files.includes('agent.db') && files.includes('agent.lease') && files.includes('api-token'));
  for (const f of files) {
    const st = statSync(path.join(s.stateDir, 'nested', f));
    if (st.isFile()) t.equal(st.mode & 0o777, 0o600, `${f} is 0600`);
  }
  agent.kill('SIGTERM');
  const [code] = (await once(agent, 'exit')) as [number | null];
  t.equal(code, 0, 'stops cleanly');
});
