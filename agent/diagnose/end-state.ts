// Combines how Slurm says an attempt ended (sacct State) with what its log said, into one diagnosis.
import type { Diagnosis } from '../api/diagnosis.js';
import type { SlurmState } from '../slurm/types.js';
import type { Diagnoser } from './diagnose.js';

export interface AttemptEnd {
  state: SlurmState;
  /** e.g. "by 1234" for CANCELLED by 1234, or "by alice (uid 1234)" once the uid is named. */
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
    hint: 'Cancelled with scancel; never resumed automatically (emb-client resubmit runs it again).',
  },
  DEADLINE: { cause: 'deadline', hint: 'The job could not finish before its --deadline.' },
  FAILED: {
    cause: 'job-failed',
    hint: 'The job script exited with an error; see the end of its log (emb-client logs).',
  },
};

/**
 * Causes that only Slurm's end-of-job banner gives in a log, and the sacct states they can agree with. The
 * banner is also written when the pre-wall-time signal is delivered to a script that then checkpoints and
 * ends COMPLETED: sacct's state is the truth, and a banner cause it contradicts is no diagnosis.
 */
const BANNER_CAUSES: Readonly<Record<string, readonly SlurmState[]>> = {
  cancelled: ['CANCELLED'],
  'time-limit': ['TIMEOUT', 'CANCELLED'],
  preempted: ['PREEMPTED', 'CANCELLED', 'REQUEUED'],
  'node-fail': ['NODE_FAIL', 'BOOT_FAIL', 'CANCELLED'],
  deadline: ['DEADLINE'],
};

/** True for a cause only sacct's state can confirm (a banner line alone says nothing while the task runs). */
export function isBannerCause(cause: string): boolean {
  return cause in BANNER_CAUSES;
}

/** A log diagnosis the sacct state does not contradict, or null. */
function agreeing(end: AttemptEnd, fromLog: Diagnosis | null): Diagnosis | null {
  const states = fromLog ? BANNER_CAUSES[fromLog.cause] : undefined;
  return states && !states.includes(end.state) ? null : fromLog;
}

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
  fromLog = agreeing(end, fromLog);
  const known = STATE_CAUSES[end.state];
  if (!known) return fromLog;
  const exit = end.exitCode == null ? '' : ` ExitCode=${end.exitCode}:${end.exitSignal ?? 0}`;
  const detail = end.stateDetail ? ` ${end.stateDetail}` : '';
  const hint =
    end.state === 'CANCELLED' && end.stateDetail
      ? known.hint.replace('Cancelled', `Cancelled ${end.stateDetail}`)
      : known.hint;
  const fromState: Diagnosis = { ...known, hint, line: `sacct: State=${end.state}${detail}${exit}` };
  // The same cause from the log and from sacct: sacct's words say more (who cancelled, the exit code).
  if (fromLog && fromLog.cause === fromState.cause) return fromState;
  if (fromLog && diagnoser.severity(fromLog.cause) >= diagnoser.severity(fromState.cause)) return fromLog;
  return fromState;
}
