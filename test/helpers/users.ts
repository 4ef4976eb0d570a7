// Ordinary Unix accounts for tests that play another user of a shared login node (an attacker, a second team
// member). Needs root to create them; tests skip with the reason elsewhere.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import os from 'node:os';

/** The test accounts: a victim who runs an agent, and another user of the same node. */
export const VICTIM = 'emb-alice';
export const OTHER = 'emb-mallory';

/** Why these tests cannot run here, or null. */
export function usersProblem(): string | null {
  if (process.getuid?.() !== 0) return 'not root: cannot create the test users';
  return null;
}

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Creates the account (with a home folder) if it is missing, and returns its ids. Root only. */
export function ensureUser(name: string): TestUser {
  if (!/^emb-[a-z]+$/.test(name)) throw new Error(`refusing to manage a non-test user: ${name}`);
  if (!exists(name)) execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', name]);
  const [uid, gid, home] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' })
    .trim()
    .split(':')
    .filter((_, i) => i === 2 || i === 3 || i === 5);
  return { name, uid: Number(uid), gid: Number(gid), home: home ?? `/home/${name}` };
}

function exists(name: string): boolean {
  try {
    execFileSync('getent', ['passwd', name], { stdio: 'ignore' });
    return true;
  } catch (err) {
    if ((err as { status?: number }).status === 2) return false;
    throw err;
  }
}

/** Runs argv as the user, with that user's login-like environment (HOME, USER, a plain PATH). */
export function spawnAs(user: TestUser, argv: string[], opts: SpawnOptions = {}): ChildProcess {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('spawnAs needs a command');
  return spawn(cmd, args, {
    ...opts,
    uid: user.uid,
    gid: user.gid,
    env: {
      HOME: user.home,
      USER: user.name,
      LOGNAME: user.name,
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      TMPDIR: os.tmpdir(),
      ...(opts.env ?? {}),
    },
  });
}

/** Runs argv as the user to completion; resolves with its exit code and output. */
export function runAs(
  user: TestUser,
  argv: string[],
  opts: SpawnOptions & { timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnAs(user, argv, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
