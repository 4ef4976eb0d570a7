// Combines how Slurm says an attempt ended (sacct State) with what its log said, into one diagnosis.
import type { Diagnosis } from '../api/diagnosis.js';
import type { SlurmState } from '../slurm/types.js';
import type { Diagnoser } from './diagnose.js';

export interface AttemptEnd {
  state: SlurmState;
  /** e.g. "by 1234" for CANCELLED by 1234. */
  stateDetail?: string | null;
  exitCode?: number | null;
  exitSignal?: number | null;
}

const STATE_CAUSES: Partial<Record<SlurmState, { cause: string; hint: string }>> = {
  TIMEOUT: {
    cause: 'time-limit',
    hint: 'The task reached its wall-time; it is resumed when it checkpointed, otherwise raise --time.',
  },
  OUT_OF_MEMORY: {
    cause: 'oom-kill',
    hint: 'The job used more memory than it asked for: compare MaxRSS with ReqMem in sacct and raise --mem.',
  },
  NODE_FAIL: { cause: 'node-fail', hint: "The node failed under the task; this is not the job's fault." },
  BOOT_FAIL: { cause: 'node-fail', hint: 'The node failed to boot for the task; it is resumed.' },
  PREEMPTED: {
    cause: 'preempted',
    hint: 'Slurm preempted the task for a higher-priority job; it is resumed.',
  },
  CANCELLED: {
    cause: 'cancelled',
    hint: 'Cancelled by a user or an administrator (scancel); never resumed automatically.',
  },
  DEADLINE: { cause: 'deadline', hint: 'The job could not finish before its --deadline.' },
  FAILED: {
    cause: 'job-failed',
    hint: 'The job script exited with an error; see the end of its log (emb-client logs).',
  },
};

/**
 * The diagnosis of an ended attempt: the log's diagnosis unless the state says something more severe
 * (e.g. state TIMEOUT beats a transient HTTP 502 seen in the log; a CUDA OOM in the log beats state FAILED).
 * COMPLETED adds nothing of its own.
 */
export function diagnoseEnd(
  end: AttemptEnd,
  fromLog: Diagnosis | null,
  diagnoser: Diagnoser,
): Diagnosis | null {
  const known = STATE_CAUSES[end.state];
  if (!known) return fromLog;
  const exit = end.exitCode == null ? '' : ` ExitCode=${end.exitCode}:${end.exitSignal ?? 0}`;
  const detail = end.stateDetail ? ` ${end.stateDetail}` : '';
  const fromState: Diagnosis = { ...known, line: `sacct: State=${end.state}${detail}${exit}` };
  if (fromLog && diagnoser.severity(fromLog.cause) >= diagnoser.severity(fromState.cause)) return fromLog;
  return fromState;
}
