// A hot standby on a "second login node": two real agents with their own hostnames (UTS namespaces) share
// one stateDir, as two login nodes share $HOME. The standby waits, shows in the holder's health, and takes
// over when the holder is killed (kill -9) or frozen (SIGSTOP); a frozen holder that wakes up (SIGCONT)
// finds the lease gone and stops without touching it.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import { AGENT_CLI, CLIENT_CLI, freePort } from '../helpers/agent-process.js';

const run = promisify(execFile);
const canUnshare = process.getuid?.() === 0;

interface Agent {
  host: string;
  proc: ChildProcess;
  config: string;
  out(): string;
}

async function agent(dir: string, host: string, standby: boolean): Promise<Agent> {
  const config = path.join(dir, `${host}.yaml`);
  writeFileSync(
    config,
    stringify({
      workRoot: path.join(dir, 'work'),
      stateDir: path.join(dir, 'state'),
      api: { listen: `127.0.0.1:${await freePort()}` },
      lease: { ttlSeconds: 4, heartbeatSeconds: 1 },
      log: { level: 'debug' },
    }),
  );
  const args = [AGENT_CLI, 'run', '--config', config, ...(standby ? ['--standby'] : [])];
  // unshare and sh exec in place: the pid is node's, for kill -9 and SIGSTOP.
  const proc = spawn(
    'unshare',
    ['--uts', 'sh', '-c', `hostname ${host} && exec "$@"`, 'sh', process.execPath, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  return { host, proc, config, out: () => out };
}

function leaseOf(dir: string): { host: string; pid: number } | null {
  const file = path.join(dir, 'state', 'agent.lease');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { host: string; pid: number };
  } catch {
    return null; // between a rename's two states nothing is half-written; a missing file reads as null
  }
}

async function until<T>(what: string, get: () => T | Promise<T>, ms = 60_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function health(
  a: Agent,
): Promise<{ lease?: { holder: string | null; standby: { host: string }[] } } | null> {
  try {
    const r = await run(process.execPath, [CLIENT_CLI, '--config', a.config, '--json', 'health'], {
      timeout: 20_000,
    });
    return JSON.parse(r.stdout);
  } catch (err) {
    // Not listening yet, or health not ok: the JSON is still printed.
    const stdout = (err as { stdout?: string }).stdout;
    return stdout ? JSON.parse(stdout) : null;
  }
}

async function pair(t: Test) {
  const dir = t.testdir();
  mkdirSync(path.join(dir, 'work', 'logs'), { recursive: true });
  mkdirSync(path.join(dir, 'state'), { mode: 0o700 });
  const holder = await agent(dir, 'login-1', false);
  t.teardown(() => void holder.proc.kill('SIGKILL'));
  await until('login-1 to hold the lease and listen', () => {
    const l = leaseOf(dir) as { host: string; listen: string | null } | null;
    return l?.host === 'login-1' && l.listen !== null;
  });
  const standby = await agent(dir, 'login-2', true);
  t.teardown(() => void standby.proc.kill('SIGKILL'));
  await until('login-2 to stand by', () =>
    readdirSync(path.join(dir, 'state')).some((f) => f.startsWith('agent.lease.standby-login-2-')),
  );
  return { dir, holder, standby };
}

t.test(
  'kill -9 of the holder: the standby takes over',
  { skip: !canUnshare && 'needs root for unshare --uts' },
  async (t) => {
    const { dir, holder, standby } = await pair(t);
    const seen = await until('the holder to list the standby', async () => {
      const h = await health(holder);
      return h?.lease?.standby.some((s) => s.host === 'login-2') ? h : null;
    });
    t.match(seen.lease?.holder, /^login-1 \(pid \d+\)$/, 'health names the holder');
    t.equal(standby.proc.exitCode, null, 'the standby waits instead of exiting');
    const text = await run(process.execPath, [CLIENT_CLI, '--config', holder.config, 'health']).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
    );
    t.match(text.stdout, /^lease: held by login-1 \(pid \d+\); standing by: login-2 \(pid \d+\)$/m);

    holder.proc.kill('SIGKILL');
    await once(holder.proc, 'exit');
    const taken = await until('login-2 to take the lease over', () => {
      const l = leaseOf(dir);
      return l?.host === 'login-2' ? l : null;
    });
    t.equal(taken.pid, standby.proc.pid);
    const h = await until('login-2 to serve', () => health(standby));
    t.match(h.lease, { holder: /^login-2 /, standby: [] });
    t.notOk(
      readdirSync(path.join(dir, 'state')).some((f) => f.includes('.standby-login-2-')),
      'its standby file is gone',
    );
    t.match(standby.out(), /lease taken over from login-1/);
    standby.proc.kill('SIGTERM');
    const [code] = await once(standby.proc, 'exit');
    t.equal(code, 0);
  },
);

t.test(
  'a frozen holder loses the lease and, woken, stops without writing it',
  { skip: !canUnshare && 'needs root for unshare --uts' },
  async (t) => {
    const { dir, holder, standby } = await pair(t);
    holder.proc.kill('SIGSTOP');
    const taken = await until('login-2 to take the lease over', () => {
      const l = leaseOf(dir);
      return l?.host === 'login-2' ? l : null;
    });
    await until('login-2 to serve', () => health(standby));
    const before = readFileSync(path.join(dir, 'state', 'agent.lease'), 'utf8');
    holder.proc.kill('SIGCONT');
    const [code] = await once(holder.proc, 'exit');
    t.equal(code, 3, 'the woken holder exits with EXIT.LEASE_HELD');
    t.match(holder.out(), /lease lost: it now names login-2/);
    t.equal(leaseOf(dir)?.host, 'login-2', 'the lease still names the standby');
    t.equal(leaseOf(dir)?.pid, taken.pid);
    t.notMatch(
      holder.out().split('lease lost')[1] ?? '',
      /"msg":"lease released"/,
      'it did not release the new lease',
    );
    // The new holder keeps heartbeating undisturbed: its lease changes only by its own hand.
    await new Promise((r) => setTimeout(r, 3000));
    t.equal(standby.proc.exitCode, null, 'the new holder keeps running');
    t.not(readFileSync(path.join(dir, 'state', 'agent.lease'), 'utf8'), before, 'and heartbeating');
    t.equal(leaseOf(dir)?.host, 'login-2');
    standby.proc.kill('SIGTERM');
    await once(standby.proc, 'exit');
  },
);
