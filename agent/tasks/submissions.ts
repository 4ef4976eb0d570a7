// How a submission's tasks come to be: a user's submit (written down before sbatch, recorded once the job id is
// known, or closed as refused or lost) and an adopted job found in squeue and sacct.
import type { SubmitIntentRow, SubmitRecipe } from '../db/repos/index.js';
import type { AttemptFacts } from '../db/repos/attempts.js';
import type { NewSubmission } from '../db/repos/submissions.js';
import { newAttempt } from './attempts.js';
import type { TaskLife } from './life.js';
import { waitingInto, waitSent } from './waits.js';

/** A user's submit, written down before sbatch runs; returns the intent's id. */
export function submitOpened(
  life: TaskLife,
  tag: string | null,
  recipe: SubmitRecipe,
  indices: number[],
  isArray: boolean,
): number {
  return life.atomically(() =>
    life.repos.submitIntents.create(tag, recipe, indices, isArray, life.clock.now()),
  );
}

/** The submit did not reach Slurm (sbatch refused it, or no job carries its tag): the intent is closed. */
export function submitRefused(life: TaskLife, intentId: number, why: string): void {
  life.atomically(() => life.repos.submitIntents.fail(intentId, why, life.clock.now()));
}

/** A submit the agent was killed in the middle of, never found in Slurm: closed, and the user told. */
export function submitLost(life: TaskLife, intent: SubmitIntentRow, message: string): void {
  life.atomically(() => {
    life.repos.submitIntents.fail(intent.id, message, life.clock.now());
    life.record({
      level: 'error',
      kind: 'submit.lost',
      message,
      data: { intent: intent.id, args: intent.recipe.args, cwd: intent.recipe.cwd },
    });
  });
}

/** sbatch gave the job id: the submission, its tasks and first attempts, and the intent closed. */
export function submitted(
  life: TaskLife,
  intent: Pick<SubmitIntentRow, 'id' | 'recipe' | 'indices' | 'isArray'>,
  jobId: string,
  how = 'submitted',
): number {
  const { recipe } = intent;
  const { repos, clock } = life;
  return life.atomically(() => {
    const now = clock.now();
    // A waiting submission (submit --after, a pipeline step) already has its row: the job fills it.
    const into = waitingInto(life, intent.id);
    if (into !== null) waitSent(life, into, jobId);
    const id = into ?? repos.submissions.create({ ...recipe, firstJobId: jobId, createdAt: now });
    for (const index of intent.indices) {
      const taskId = repos.tasks.ensure(id, index, 'queued', now);
      const taskJobId = intent.isArray ? `${jobId}_${index}` : jobId;
      newAttempt(life, { taskId, jobId: taskJobId, arrayJobId: jobId, intentId: null });
    }
    life.record({
      level: 'info',
      kind: 'submission.created',
      submissionId: id,
      jobId,
      message: `${into === null ? how : 'sent after waiting:'} ${recipe.name ?? 'job'} as ${jobId}${recipe.arraySpec ? ` (array ${recipe.arraySpec})` : ''}`,
      data: { args: recipe.args, cwd: recipe.cwd, intent: intent.id },
    });
    repos.submitIntents.confirm(intent.id, jobId, id, now);
    return id;
  });
}

/** One task of an adopted job as squeue or sacct shows it. */
export interface AdoptedTask {
  index: number;
  jobId: string;
  facts: AttemptFacts;
}

/** A job submitted by hand, now tracked: its submission, and each task with the attempt Slurm shows. */
export function adopted(
  life: TaskLife,
  submission: Omit<NewSubmission, 'createdAt'>,
  tasks: AdoptedTask[],
  notes: string[],
): number {
  const { repos, clock } = life;
  return life.atomically(() => {
    const now = clock.now();
    const id = repos.submissions.create({ ...submission, createdAt: now });
    for (const t of tasks) {
      const taskId = repos.tasks.ensure(id, t.index, 'queued', now);
      const attemptId = newAttempt(life, {
        taskId,
        jobId: t.jobId,
        arrayJobId: submission.firstJobId,
        intentId: null,
      });
      repos.attempts.update(attemptId, t.facts);
    }
    life.record({
      level: 'info',
      kind: 'submission.adopted',
      submissionId: id,
      jobId: submission.firstJobId,
      message: `adopted job ${submission.firstJobId} with ${tasks.length} task(s)`,
      data: { notes },
    });
    return id;
  });
}
