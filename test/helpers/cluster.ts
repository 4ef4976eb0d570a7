// Integration tests' access to the Slurm test cluster of test/slurm/cluster.sh: tests skip without one (with
// the reason) on a developer's machine, and fail under CI, where `npm test` must have brought it up.
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  cwd?: string;
  /** Default 15 s: a healthy cluster answers in well under a second. */
  timeoutMs?: number;
}

/** The part of a tap Test (or the root `t`) requireCluster needs. */
export interface ClusterGate {
  plan(n: number, comment?: string): void;
  fail(message: string): boolean;
}

/** Runs a Slurm command from an argv (no shell) with a timeout; rejects with stderr in the message. */
export function runSlurm(
  cmd: string,
  args: readonly string[],
  opts: CommandOptions = {},
): Promise<CommandResult> {
  const timeout = opts.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, timeout, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ stdout, stderr });
        return;
      }
      const why = error.killed ? `timed out after ${timeout} ms` : stderr.trim() || error.message;
      reject(new Error(`${cmd} ${args.join(' ')}: ${why}`, { cause: error }));
    });
  });
}

/** Why the test cluster cannot be used, or null when sinfo shows a usable node and sacct answers. */
export async function clusterProblem(): Promise<string | null> {
  const hint =
    process.getuid?.() === 0
      ? 'run `test/slurm/cluster.sh up`'
      : 'not root; run `sudo test/slurm/cluster.sh up`';
  try {
    const { stdout } = await runSlurm('sinfo', ['--noheader', '--format=%T'], { timeoutMs: 10_000 });
    // "idle*" (not responding), "down", "drained" cannot run a job.
    if (!/^(idle|mixed|allocated|completing)$/m.test(stdout)) {
      return `no Slurm test cluster: no usable node (sinfo: ${JSON.stringify(stdout.trim())}); ${hint}`;
    }
    await runSlurm('sacct', ['--noheader', '-X', '--starttime=now-1minutes', '--format=JobID'], {
      timeoutMs: 10_000,
    });
  } catch (error) {
    return `no Slurm test cluster (${(error as Error).message}); ${hint}`;
  }
  return null;
}

/**
 * True when the cluster answers. Otherwise skips `t` with the reason (t.plan(0, reason)), or fails it when
 * CI=true, and returns false: the caller then returns without running its checks.
 */
export async function requireCluster(t: ClusterGate): Promise<boolean> {
  const problem = await clusterProblem();
  if (problem === null) return true;
  if (process.env.CI === 'true') t.fail(`CI=true but ${problem}`);
  else t.plan(0, problem);
  return false;
}

/** Submits with `sbatch --parsable ARGS` and returns the job id (for an array, the array's id). */
export async function sbatch(args: readonly string[], opts: CommandOptions = {}): Promise<string> {
  const { stdout } = await runSlurm('sbatch', ['--parsable', ...args], opts);
  // "--parsable" prints "jobid" or "jobid;cluster".
  const id = stdout.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id: ${JSON.stringify(stdout)}`);
  return id;
}

/**
 * sacct's State for each row of jobId, keyed by JobID ("12_0", or "12_[2-9%2]" for a pending remainder).
 * States are verbatim ("CANCELLED by 0"). Empty until slurmdbd has the job.
 */
export async function sacctState(jobId: string): Promise<Record<string, string>> {
  const { stdout } = await runSlurm('sacct', [
    '--parsable2',
    '--noheader',
    '-X',
    '--format=JobID,State',
    `--jobs=${jobId}`,
  ]);
  const states: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const [id, state] = line.split('|');
    if (id && state) states[id] = state;
  }
  return states;
}

/**
 * Polls fn until it returns a value other than undefined, null or false, and returns that value. Errors from
 * fn count as "not yet" (the last one becomes the cause of the time-out error).
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  opts: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what ?? 'a condition'}`, {
        cause: lastError,
      });
    }
    await sleep(opts.intervalMs ?? 500);
  }
}
