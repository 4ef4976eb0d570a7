// The resume contract (design.md §2) as a pure function of recorded facts: done, resume or failed, and why.
import type { TaskState } from '../api/schemas.js';

export type Decision = 'done' | 'resume' | 'failed' | 'stalled' | 'exhausted' | 'held';

export interface AttemptFacts {
  slurmState: string;
  /** "by 1234" for a cancellation, when sacct said so. */
  stateDetail: string | null;
  exitCode: number | null;
  /** null when the recipe names no done marker. */
  doneMarkerPresent: boolean | null;
  checkpointSeen: boolean;
  /** null when nothing measures progress for this recipe. */
  progressMade: boolean | null;
  /** Attempts so far, this one included. */
  attempts: number;
  maxAttempts: number;
  resumeEnabled: boolean;
  held: boolean;
}

export interface Verdict {
  decision: Decision;
  reason: string;
}

const RESUMABLE_STATES = new Set(['TIMEOUT', 'PREEMPTED', 'NODE_FAIL', 'BOOT_FAIL']);

/** Whether the way the attempt ended asks for a resume, before the guards are applied. */
function baseVerdict(f: AttemptFacts): Verdict {
  const s = f.slurmState;
  if (f.doneMarkerPresent === true) return { decision: 'done', reason: 'the done marker is present' };
  if (s === 'COMPLETED') {
    if (f.checkpointSeen) {
      return {
        decision: 'resume',
        reason: 'completed after a checkpoint marker and the done marker is absent',
      };
    }
    if (f.doneMarkerPresent === null)
      return { decision: 'done', reason: 'completed with no checkpoint marker in its log' };
    return {
      decision: 'failed',
      reason: 'completed without a checkpoint marker, but the done marker is absent',
    };
  }
  if (s === 'FAILED') {
    if (f.checkpointSeen)
      return { decision: 'resume', reason: `failed (exit ${f.exitCode ?? '?'}) after a checkpoint marker` };
    return { decision: 'failed', reason: `failed (exit ${f.exitCode ?? '?'}) without a checkpoint marker` };
  }
  if (RESUMABLE_STATES.has(s)) {
    return {
      decision: 'resume',
      reason: `ended ${s}`,
    };
  }
  if (s === 'OUT_OF_MEMORY') return { decision: 'failed', reason: 'ran out of memory' };
  if (s === 'CANCELLED') {
    return { decision: 'failed', reason: `cancelled${f.stateDetail ? ` ${f.stateDetail}` : ''}` };
  }
  if (s === 'DEADLINE') return { decision: 'failed', reason: 'reached its deadline' };
  return { decision: 'failed', reason: `ended ${s}` };
}

/** The decision for one ended attempt, with every guard of the contract applied in order. */
export function decide(f: AttemptFacts): Verdict {
  const base = baseVerdict(f);
  if (base.decision !== 'resume') return base;
  if (!f.resumeEnabled)
    return { decision: 'failed', reason: `${base.reason}; resume is off for this submission` };
  if (f.progressMade === false) {
    return { decision: 'stalled', reason: `${base.reason}, but made no progress since it started` };
  }
  if (f.attempts >= f.maxAttempts) {
    return {
      decision: 'exhausted',
      reason: `${base.reason}; ${f.attempts} of ${f.maxAttempts} attempts used`,
    };
  }
  if (f.held) return { decision: 'held', reason: `${base.reason}; held: release it to resume` };
  return base;
}

/** The task state a decision leaves the task in. */
export function stateFor(decision: Decision): TaskState {
  return decision === 'resume' ? 'resuming' : decision;
}
