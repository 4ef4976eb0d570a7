// What the tracker learns from squeue and sacct about live attempts, recorded; and what the logs say.
import type { TaskState } from '../api/schemas.js';
import type { AttemptFacts } from '../db/repos/attempts.js';
import { schedulerFactsDiffer, withFacts } from '../db/repos/attempts.js';
import type { AttemptRow, TaskRow } from '../db/repos/index.js';
import type { Diagnosis } from '../api/diagnosis.js';
import type { TaskLife } from './life.js';

/** A live task's state as the tracker derived it from the scheduler, and the task as it stands. */
export interface SeenState {
  state: TaskState;
  detail: string | null;
  task: { state: TaskState; submissionId: number };
}

/**
 * The scheduler's facts about one attempt: written only when they differ (most tasks of a long array change
 * nothing between cycles), and the task's new state with its event when `seen` says it changed. Returns the
 * attempt as it now stands. Call it inside TaskLife.atomically (the tracker records a whole cycle in one).
 */
export function schedulerFactsSeen(
  life: TaskLife,
  a: AttemptRow,
  facts: AttemptFacts,
  submissionId: number | null,
  seen: SeenState | null,
): AttemptRow {
  const updated = withFacts(a, facts);
  if (schedulerFactsDiffer(a, updated)) {
    life.repos.attempts.update(a.id, facts);
    life.touched(submissionId);
  }
  if (seen && seen.task.state !== seen.state) {
    life.repos.tasks.setState(a.taskId, seen.state, seen.detail, life.clock.now());
    seen.task.state = seen.state;
    life.record({
      level: 'info',
      kind: 'task.state',
      taskId: a.taskId,
      submissionId: seen.task.submissionId,
      jobId: a.jobId,
      message: `${a.jobId} is ${seen.state}`,
    });
  }
  return updated;
}

/** Neither squeue nor sacct has ever shown the attempt: it is recorded as ended, state unknown. */
export function attemptLost(life: TaskLife, a: AttemptRow): void {
  life.atomically(() => {
    life.repos.attempts.update(a.id, {
      slurmState: 'UNKNOWN',
      stateDetail: 'not known to squeue or sacct',
      ended: true,
    });
    life.record({
      level: 'warn',
      kind: 'attempt.lost',
      taskId: a.taskId,
      jobId: a.jobId,
      message: `${a.jobId} is known to neither squeue nor sacct an hour after submission; recorded as lost`,
    });
  });
}

/** A running task's log showed its checkpoint marker or an end line. */
export function logMarkSeen(
  life: TaskLife,
  a: AttemptRow,
  task: TaskRow,
  kind: 'checkpoint' | 'end',
  line: string,
): void {
  life.atomically(() => {
    if (kind === 'checkpoint') life.repos.attempts.setLogFacts(a.id, true, a.progressLines);
    life.record({
      level: 'info',
      kind: kind === 'checkpoint' ? 'log.checkpoint' : 'log.end',
      submissionId: task.submissionId,
      taskId: task.id,
      jobId: a.jobId,
      message: `${a.jobId}: ${line}`,
    });
  });
}

/** A running task's log said what is going wrong: the task shows it before it ends. */
export function diagnosed(life: TaskLife, a: AttemptRow, task: TaskRow, d: Diagnosis): void {
  life.atomically(() => {
    life.repos.tasks.setDiagnosis(task.id, d, life.clock.now());
    life.record({
      level: 'warn',
      kind: 'log.diagnosis',
      submissionId: task.submissionId,
      taskId: task.id,
      jobId: a.jobId,
      message: `${a.jobId}: ${d.cause}: ${d.hint}`,
      data: { cause: d.cause, line: d.line ?? null },
    });
  });
}
