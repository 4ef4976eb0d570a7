// Scheduler failures, classified so callers know whether to retry (transient), give up (permanent),
// report Slurm missing (unavailable) or report a parser gap (output). The stderr text is kept: users see it.
import { AgentError, type AgentErrorCode } from '../errors.js';
import type { SchedulerErrorKind } from './types.js';

const CODE_BY_KIND: Record<SchedulerErrorKind, AgentErrorCode> = {
  transient: 'AGENT_ERR_SCHEDULER_TRANSIENT',
  permanent: 'AGENT_ERR_SCHEDULER_REJECTED',
  unavailable: 'AGENT_ERR_SCHEDULER_UNAVAILABLE',
  output: 'AGENT_ERR_SCHEDULER_OUTPUT',
};

/** Longest stderr kept on an error; Slurm's messages are short, a runaway one must not bloat events. */
const MAX_STDERR = 4000;

export interface SchedulerErrorInit {
  /** The command that failed, e.g. "sbatch". */
  command: string;
  /** The line users should see as the reason, e.g. "Batch job submission failed: Invalid account ...". */
  reason: string;
  stderr?: string;
  exitCode?: number | null;
  cause?: unknown;
  /** A more precise catalogue code than the kind's (the preflight's refusal is a permanent one). */
  code?: AgentErrorCode;
}

export class SchedulerError extends AgentError {
  readonly kind: SchedulerErrorKind;
  readonly command: string;
  readonly reason: string;
  readonly stderr: string;
  readonly exitCode: number | null;

  constructor(kind: SchedulerErrorKind, init: SchedulerErrorInit) {
    const stderr = (init.stderr ?? '').slice(0, MAX_STDERR);
    super(init.code ?? CODE_BY_KIND[kind], `${init.command}: ${init.reason}`, {
      cause: init.cause,
      details: { kind, command: init.command, reason: init.reason, exitCode: init.exitCode ?? null },
    });
    this.name = 'SchedulerError';
    this.kind = kind;
    this.command = init.command;
    this.reason = init.reason;
    this.stderr = stderr;
    this.exitCode = init.exitCode ?? null;
  }
}

export function isSchedulerError(err: unknown, kind?: SchedulerErrorKind): err is SchedulerError {
  return err instanceof SchedulerError && (kind === undefined || err.kind === kind);
}

// Order matters: a transient cause wins over the "Batch job submission failed:" prefix it often follows.
const TRANSIENT: RegExp[] = [
  /socket timed out/i,
  /temporarily unable to accept job/i,
  /slurm temporarily unable/i,
  /unable to contact slurm controller/i,
  /slurm controller not responding/i,
  /slurmctld.*(not responding|connection refused)/i,
  /connection refused/i,
  /connection reset by peer/i,
  /resource temporarily unavailable/i,
  /zero bytes were transmitted or received/i,
  /communication connection failure/i,
  /transport endpoint is not connected/i,
  /timed out/i,
  /slurmdbd.*(not responding|unavailable|connection)/i,
  /problem talking to the database/i,
  /failed to open persistent connection/i,
  /unable to connect to database/i,
  /sending message to slurmctld/i,
  /try again/i,
  // Submit limits (MaxSubmitJobs) clear as the user's jobs finish; retrying with backoff is right.
  /job submit limit/i,
  /QOSMaxSubmitJob|AssocMaxSubmitJob|MaxSubmitJobs/i,
];

const UNAVAILABLE: RegExp[] = [
  /could not establish a configuration source/i,
  /unable to (?:open|read|process) (?:configuration|config) file/i,
  /slurm\.conf.*(no such file|not found)/i,
  /command not found/i,
];

const PERMANENT: RegExp[] = [
  /invalid account/i,
  /invalid partition/i,
  /invalid qos/i,
  /invalid (?:generic resource|gres)/i,
  /invalid job array specification/i,
  /invalid --array/i,
  /requested node configuration is not available/i,
  /requested time limit is invalid/i,
  /requested partition configuration not available/i,
  /batch job submission failed/i,
  /unrecognized option/i,
  /invalid option/i,
  /unknown option/i,
  /unable to open file/i,
  /invalid user/i,
  /access denied/i,
  /you must specify/i,
  /invalid job id/i,
  /Try "\w+ --help"/i,
];

/** Exit statuses that mean "try later": EX_TEMPFAIL and timeout(1)'s status. */
const TRANSIENT_EXIT_CODES = new Set([75, 124]);

export interface FailureFacts {
  command: string;
  stderr: string;
  exitCode: number | null;
  /** Our own time-out killed it. */
  timedOut: boolean;
  /** Killed by a signal that was not our time-out. */
  signal: string | null;
  /** Node's spawn error code, e.g. ENOENT. */
  errno: string | null;
}

/** Decides the kind of a failed scheduler command from what it printed and how it ended. */
export function classifyFailure(f: FailureFacts): SchedulerErrorKind {
  if (f.errno === 'ENOENT' || f.errno === 'EACCES' || f.errno === 'ENOTDIR') return 'unavailable';
  if (f.exitCode === 127) return 'unavailable';
  if (f.timedOut) return 'transient';
  if (TRANSIENT.some((re) => re.test(f.stderr))) return 'transient';
  if (UNAVAILABLE.some((re) => re.test(f.stderr))) return 'unavailable';
  if (PERMANENT.some((re) => re.test(f.stderr))) return 'permanent';
  if (f.signal !== null) return 'transient';
  if (f.exitCode !== null && TRANSIENT_EXIT_CODES.has(f.exitCode)) return 'transient';
  // An unknown sbatch refusal (site job_submit plugins word their own) is a refusal; an unknown query
  // failure is more likely a passing controller problem, and retrying a query is harmless.
  return f.command === 'sbatch' ? 'permanent' : 'transient';
}

/** The most telling stderr line: the last "error:" line, without the "sbatch: error: " prefix. */
export function reasonFromStderr(stderr: string, fallback: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const errorLines = lines.filter((l) => /\berror:|\bfatal:/i.test(l));
  const pick = errorLines.at(-1) ?? lines.at(-1);
  if (pick === undefined) return fallback;
  return pick.replace(/^[\w.-]+:\s+(?:error|fatal):\s+/i, '').slice(0, 500);
}
