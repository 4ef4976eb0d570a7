// A resubmission's life: planned (the intent written before sbatch), sent (the new attempts), refused by
// sbatch, delayed after an unclear answer, or deferred because the hourly budget is spent.
import type { Diagnosis } from '../api/diagnosis.js';
import type { IntentRow, SubmissionRow, TaskRow } from '../db/repos/index.js';
import { formatArraySpec } from '../recipe/array-spec.js';
import { newAttempt } from './attempts.js';
import type { TaskLife } from './life.js';

/**
 * Writes the intent for these tasks without sending it. Its tag embeds its id, so `build` makes the tag and
 * the exact sbatch arguments from the id. Nested in the caller's TaskLife.atomically when tasks change with it.
 */
export function resubmissionPlanned(
  life: TaskLife,
  sub: SubmissionRow,
  indices: number[],
  kind: IntentRow['kind'],
  build: (id: number, now: number) => { tag: string; args: string[] },
): IntentRow {
  const now = life.clock.now();
  return life.atomically(() => life.repos.intents.create(sub.id, kind, indices, (id) => build(id, now), now));
}

/** sbatch took the intent (or it was found by its tag): each task has a new attempt and is queued again. */
export function resubmissionSent(
  life: TaskLife,
  intent: IntentRow,
  sub: SubmissionRow,
  jobId: string,
  how: string,
): void {
  const { repos } = life;
  life.atomically(() => {
    const now = life.clock.now();
    repos.intents.confirm(intent.id, jobId, now);
    for (const index of intent.indices) {
      const task = repos.tasks.find(sub.id, index);
      if (!task) continue;
      const taskJobId = sub.arraySpec === null ? jobId : `${jobId}_${index}`;
      newAttempt(life, { taskId: task.id, jobId: taskJobId, arrayJobId: jobId, intentId: intent.id });
      repos.tasks.setState(task.id, 'queued', `${how} as ${taskJobId}`, now);
    }
    life.record({
      level: 'info',
      kind: 'resume.submitted',
      submissionId: sub.id,
      jobId,
      message: `${how}: indices ${formatArraySpec(intent.indices, null)} as job ${jobId}`,
      data: { intent: intent.id, indices: intent.indices, args: intent.args },
    });
  });
}

/** sbatch refused the resubmission for good: its tasks fail with the diagnosis of sbatch's answer. */
export function resubmissionRefused(
  life: TaskLife,
  intent: IntentRow,
  sub: SubmissionRow,
  why: string,
  diagnosis: Diagnosis,
): void {
  const { repos } = life;
  life.atomically(() => {
    const now = life.clock.now();
    repos.intents.fail(intent.id, why, now);
    for (const index of intent.indices) {
      const task = repos.tasks.find(sub.id, index);
      if (!task) continue;
      repos.tasks.setState(task.id, 'failed', `sbatch refused the resubmission: ${why}`, now);
      repos.tasks.setDiagnosis(task.id, diagnosis, now);
    }
    life.record({
      level: 'error',
      kind: 'resume.rejected',
      submissionId: sub.id,
      message: `sbatch refused the resubmission of indices ${formatArraySpec(intent.indices, null)}: ${why}`,
      data: { intent: intent.id },
    });
  });
}

/** sbatch's answer was unclear (a time-out, a failed look-up): the intent is looked up again after `delayMs`. */
export function resubmissionDelayed(life: TaskLife, intent: IntentRow, delayMs: number, why: string): void {
  life.atomically(() => {
    const now = life.clock.now();
    life.repos.intents.retryLater(intent.id, now + delayMs, why, now);
    life.record({
      level: 'warn',
      kind: 'resume.retry',
      submissionId: intent.submissionId,
      message: `resubmission delayed ${Math.round(delayMs / 1000)} s: ${why}`,
      data: { intent: intent.id, tries: intent.tries + 1 },
    });
  });
}

/** The hourly budget of resubmissions is spent: the tasks wait, and say why. */
export function resubmissionDeferred(
  life: TaskLife,
  submissionId: number,
  tasks: TaskRow[],
  why: string,
): void {
  life.atomically(() => {
    const now = life.clock.now();
    for (const t of tasks) life.repos.tasks.setState(t.id, 'resuming', why, now);
    life.record({ level: 'warn', kind: 'resume.budget', submissionId, message: why });
  });
}
