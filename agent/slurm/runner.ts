// Runs one scheduler command: argv only (never a shell), always a time-out, failures classified.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Logger } from '../log.js';
import { loggable } from '../errors.js';
import { classifyFailure, reasonFromStderr, SchedulerError } from './errors.js';

export interface RunnerOptions {
  timeoutMs: number;
  /** Folder holding the Slurm commands; when absent they are found on PATH. */
  binDir?: string | undefined;
  logger: Logger;
}

export interface RunOptions {
  cwd?: string;
  /**
   * With exactEnv the child gets exactly this environment (sbatch: the recorded one). Otherwise these
   * variables are laid over the agent's own environment, and an undefined value removes one.
   */
  env?: Record<string, string | undefined>;
  exactEnv?: boolean;
  /**
   * Lets a caller accept some non-zero exits (squeue's "Invalid job id specified" for jobs that left
   * the queue). Returning true makes the result count as success.
   */
  accept?: (result: RunResult) => boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Grace after SIGTERM before SIGKILL when a command overruns its time-out. */
const FORCE_KILL_MS = 2000;
/** sacct for thousands of array tasks stays far below this; a runaway command must not eat memory. */
const MAX_BUFFER = 64 * 1024 * 1024;

export class CommandRunner {
  private readonly timeoutMs: number;
  private readonly binDir: string | undefined;
  private readonly logger: Logger;

  constructor(opts: RunnerOptions) {
    if (!(opts.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${opts.timeoutMs}`);
    this.timeoutMs = opts.timeoutMs;
    this.binDir = opts.binDir;
    this.logger = opts.logger;
  }

  /** The path or name execa is given for a Slurm command. */
  resolve(command: string): string {
    return this.binDir === undefined ? command : path.join(this.binDir, command);
  }

  async run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    // A missing cwd also surfaces as ENOENT from spawn; say which one it is.
    if (opts.cwd !== undefined) await assertDirectory(command, opts.cwd);
    const started = Date.now();
    // Its own process group (detached), so the time-out reaches what a wrapper script started too: killing
    // only the wrapper left a hung child holding the output pipes, and the tracker waited on it for good.
    const child = execa(this.resolve(command), args, {
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: opts.exactEnv !== true,
      detached: true,
      maxBuffer: MAX_BUFFER,
      reject: false,
      stdin: 'ignore',
      encoding: 'utf8',
      stripFinalNewline: false,
      shell: false,
    });
    let timedOut = false;
    let forceTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      this.killGroup(child.pid, 'SIGTERM');
      forceTimer = setTimeout(() => this.killGroup(child.pid, 'SIGKILL'), FORCE_KILL_MS);
    }, this.timeoutMs);
    const result = await child.finally(() => {
      clearTimeout(timer);
      clearTimeout(forceTimer);
    });
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    const exitCode = timedOut ? null : (result.exitCode ?? null);
    // Arguments are logged, the environment never is (sbatch gets the user's, which may hold tokens).
    this.logger.debug(
      { command, args, exitCode, ms: Date.now() - started, timedOut },
      'slurm command finished',
    );

    if (!result.failed && !timedOut) return { stdout, stderr, exitCode: 0 };
    if (exitCode !== null && !timedOut && opts.accept?.({ stdout, stderr, exitCode })) {
      return { stdout, stderr, exitCode };
    }

    const errno = result.code ?? null;
    const signal = result.signal ?? null;
    const kind = classifyFailure({
      command,
      stderr,
      exitCode,
      timedOut,
      signal: timedOut ? null : signal,
      errno,
    });
    let reason: string;
    if (errno === 'ENOENT') reason = `command not found: ${this.resolve(command)}`;
    // A spawn that failed (EACCES, ENOTDIR, E2BIG...) has no exit status: its errno is the cause.
    else if (errno !== null && exitCode === null && !timedOut)
      reason = `cannot start ${this.resolve(command)}${opts.cwd === undefined ? '' : ` in ${opts.cwd}`}: ${errno}`;
    else if (timedOut) reason = `timed out after ${formatMs(this.timeoutMs)}`;
    else if (signal !== null && stderr.trim() === '') reason = `killed by ${signal}`;
    else reason = reasonFromStderr(stderr, `exited with status ${exitCode ?? 'unknown'}`);
    const cause = new Error(result.shortMessage ?? reason);
    throw new SchedulerError(kind, { command, reason, stderr, exitCode, cause });
  }

  /** Signals the whole group the command leads; a group already gone is what we wanted. */
  private killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
        this.logger.warn({ pid, signal, err: loggable(err) }, 'cannot signal a scheduler command');
      }
    }
  }
}

/** The job's folder must exist and be enterable by the agent's user: the reason names the path and errno. */
async function assertDirectory(command: string, dir: string): Promise<void> {
  const unusable = (err: unknown): never => {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new SchedulerError('permanent', {
      command,
      reason: `working directory ${dir} is not usable by the agent's user: ${code}${code === 'ENOENT' ? ' (no such folder on this host)' : code === 'EACCES' ? ' (permission denied)' : ''}`,
      cause: err,
    });
  };
  const info = await stat(dir).catch(unusable);
  if (!info.isDirectory()) {
    throw new SchedulerError('permanent', { command, reason: `working directory ${dir} is not a directory` });
  }
  await access(dir, constants.X_OK).catch(unusable);
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
