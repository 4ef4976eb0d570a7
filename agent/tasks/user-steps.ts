// What a person does to tasks (hold, release, resubmit by hand, cancel), recorded; agent/resume/steering.ts
// decides which tasks a step applies to.
import type { SubmissionRow, TaskRow } from '../db/repos/index.js';
import type { TaskLife } from './life.js';
import { loadSubmission, loadTask } from './load.js';

/** The named task, or every task of the submission. */
function named(life: TaskLife, sub: SubmissionRow, task: TaskRow | null): TaskRow[] {
  return task ? [task] : life.repos.tasks.bySubmission(sub.id);
}

function steered(life: TaskLife, sub: SubmissionRow, message: string): void {
  life.record({ level: 'info', kind: 'steering', submissionId: sub.id, message });
}

/** Holds a task (or the whole submission): a task waiting to resume waits for a release. Returns the tasks named. */
export function held(life: TaskLife, sub: SubmissionRow, task: TaskRow | null): TaskRow[] {
  const { repos } = life;
  return life.atomically(() => {
    const now = life.clock.now();
    if (task) repos.tasks.setHeld(task.id, true, now);
    else repos.submissions.setHeld(sub.id, true);
    const affected = named(life, sub, task);
    for (const t of affected) {
      if (t.state === 'resuming')
        repos.tasks.setState(t.id, 'held', 'held by the user: release it to resume', now);
    }
    steered(life, sub, `held ${task ? `task ${task.index}` : 'the submission'}`);
    return affected;
  });
}

/** Releases a task (or the submission); returns the held tasks that now wait to resume. */
export function released(life: TaskLife, sub: SubmissionRow, task: TaskRow | null): TaskRow[] {
  const { repos } = life;
  return life.atomically(() => {
    const now = life.clock.now();
    if (task) repos.tasks.setHeld(task.id, false, now);
    else repos.submissions.setHeld(sub.id, false);
    const fresh = loadSubmission(repos, sub.id);
    const waking = named(life, sub, task)
      .map((t) => loadTask(repos, t.id))
      .filter((t) => t.state === 'held' && !t.held && !fresh.held);
    for (const t of waking) repos.tasks.setState(t.id, 'resuming', 'released by the user', now);
    steered(life, sub, `released ${task ? `task ${task.index}` : 'the submission'}`);
    return waking;
  });
}

/**
 * A person asked for these ended tasks to run again: they wait to resume. Nested in the caller's
 * TaskLife.atomically with the intent that sends them.
 */
export function resubmittedByHand(life: TaskLife, sub: SubmissionRow, tasks: TaskRow[]): void {
  life.atomically(() => {
    const now = life.clock.now();
    for (const t of tasks) life.repos.tasks.setState(t.id, 'resuming', 'resubmitted by hand', now);
    steered(life, sub, `manual resubmission of ${tasks.length} task(s)`);
  });
}

/**
 * A person cancelled a task (or the submission) and means it: it is held, so no end of its jobs is ever
 * resumed, and the reason says who stopped it. Cancelling the jobs in Slurm is the caller's step.
 */
export function cancelled(life: TaskLife, sub: SubmissionRow, task: TaskRow | null, by: string): TaskRow[] {
  const { repos } = life;
  return life.atomically(() => {
    const now = life.clock.now();
    const affected = named(life, sub, task);
    // A done task is finished: nothing of it is cancelled, and `ls` must not show it held.
    for (const t of affected.filter((x) => x.state !== 'done')) {
      repos.tasks.setHeld(t.id, true, now);
      repos.tasks.setState(t.id, 'held', `cancelled by ${by}`, now);
    }
    life.record({
      level: 'info',
      kind: 'task.cancelled',
      submissionId: sub.id,
      taskId: task?.id ?? null,
      message: `${task ? `task ${task.index}` : 'the submission'} cancelled by ${by}: never resumed`,
    });
    return affected;
  });
}
