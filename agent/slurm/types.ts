// The scheduler port: what the rest of the agent may ask of Slurm. agent/slurm implements it with execa.

/** Slurm base states, normalised from text ("CANCELLED by 1234") and JSON (strings or flag arrays). */
export const SLURM_STATES = [
  'PENDING',
  'RUNNING',
  'SUSPENDED',
  'COMPLETING',
  'CONFIGURING',
  'REQUEUED',
  'RESIZING',
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'CANCELLED',
  'PREEMPTED',
  'NODE_FAIL',
  'BOOT_FAIL',
  'DEADLINE',
  'OUT_OF_MEMORY',
  'REVOKED',
  'SPECIAL_EXIT',
  'UNKNOWN',
] as const;

export type SlurmState = (typeof SLURM_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<SlurmState> = new Set<SlurmState>([
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'CANCELLED',
  'PREEMPTED',
  'NODE_FAIL',
  'BOOT_FAIL',
  'DEADLINE',
  'OUT_OF_MEMORY',
  'REVOKED',
  'SPECIAL_EXIT',
]);

export interface SlurmVersion {
  /** e.g. "22.05.8" */
  text: string;
  major: number;
  minor: number;
}

/**
 * One record per job or array task, from sacct or squeue. A pending array remainder such as
 * `1234_[8-15%4]` is expanded by the parser into one record per index, each with pendingRemainder=true.
 */
export interface JobRecord {
  /** As Slurm writes it: "1234_7" for a task, "1234" for a plain job. */
  jobId: string;
  /** The id sbatch printed (the array's id), "1234". */
  arrayJobId: string;
  /** null for a plain (non-array) job. */
  arrayTaskId: number | null;
  /** Unique per task once it has started (JobIDRaw); null for a pending remainder. */
  jobIdRaw: string | null;
  pendingRemainder: boolean;
  name: string | null;
  state: SlurmState;
  /** What followed the state in sacct text, e.g. "by 1234" for CANCELLED by 1234; or a squeue reason. */
  stateDetail: string | null;
  /** Process exit code and the signal that ended it (sacct ExitCode "code:signal"). */
  exitCode: number | null;
  exitSignal: number | null;
  /** Unix seconds, null when unknown or not reached. */
  submitTime: number | null;
  startTime: number | null;
  endTime: number | null;
  elapsedSeconds: number | null;
  /** Minutes; null for UNLIMITED or unknown. */
  timeLimitMinutes: number | null;
  workDir: string | null;
  submitLine: string | null;
  comment: string | null;
  /** Expanded stdout/stderr paths when the source knows them (squeue JSON; sacct from 24.05). */
  stdoutPath: string | null;
  stderrPath: string | null;
  /** Throttle of the array (%N) when reported. */
  arrayThrottle: number | null;
  /** Slurm's node list as printed ("vm", "c1-[1-4]"); null before the job has nodes. */
  node: string | null;
}

export interface SubmitRequest {
  /** sbatch arguments (options and the script with its arguments), without "sbatch" itself. */
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Read by the preflight decorator (agent/preflight/); the adapter ignores it. */
  preflight?: { skip?: string | undefined } | undefined;
}

/** What `sbatch --test-only` said of a job Slurm would take (nothing is submitted). */
export interface TestOnlyAnswer {
  /** "in partition normal" of Slurm's answer; null when the line was not there. */
  partition: string | null;
  /** Slurm's estimate, as it printed it ("2026-12-01T05:39:22"); null when not there. */
  startAt: string | null;
  /** The answer's text, for events. */
  line: string;
}

/** `sbatch --test-only`: refuses (SchedulerError) what Slurm would refuse, without submitting anything. */
export interface SchedulerTestOnly {
  testOnly(req: SubmitRequest): Promise<TestOnlyAnswer>;
}

export interface SubmitResult {
  /** The job id sbatch printed (cluster suffix stripped). */
  jobId: string;
  cluster: string | null;
}

export interface Scheduler {
  /** Probes `sbatch --version`. Throws SchedulerError(kind 'unavailable') when Slurm is absent. */
  version(): Promise<SlurmVersion>;
  /** Runs sbatch --parsable with the given argv, cwd and environment. */
  submit(req: SubmitRequest): Promise<SubmitResult>;
  /**
   * Accounting records for the given job ids (array ids cover all their tasks), from ONE sacct call,
   * allocations only (no steps). An empty list makes no call and returns [].
   */
  accounting(jobIds: string[]): Promise<JobRecord[]>;
  /**
   * Queue records for the given job ids (or all of the user's jobs when omitted), from ONE squeue call;
   * these carry stdout/stderr paths and comments. An empty list makes no call and returns [].
   */
  queue(jobIds?: string[]): Promise<JobRecord[]>;
  /** scancel, optionally with a signal (e.g. TERM with batch=true for the batch shell only). */
  cancel(jobId: string, opts?: { signal?: string; batchOnly?: boolean }): Promise<void>;
}

export type SchedulerErrorKind =
  /** Worth retrying with backoff: time-outs, "Socket timed out", "temporarily unable to accept job". */
  | 'transient'
  /** The scheduler refused the request for good (bad account, partition rules, invalid option). */
  | 'permanent'
  /** The command is missing or the controller is down for good (no Slurm on this machine). */
  | 'unavailable'
  /** The command answered but its output could not be parsed. */
  | 'output';

/**
 * Added by the lead for intent reconciliation: accounting records of the user's jobs submitted since
 * `since` (unix seconds), from ONE `sacct -u USER -S ... -X` call. Implemented in the adapter.
 */
export interface SchedulerSearch {
  accountingSince(since: number): Promise<JobRecord[]>;
}
