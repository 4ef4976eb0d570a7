// Test and bench helper: records an array submission as `emb-client submit` would, with one task and one
// attempt per index (jobs FIRST_i of array FIRST). Fields not given get plain defaults.
import type { Repos } from '../../agent/db/repos/index.js';
import type { NewSubmission } from '../../agent/db/repos/submissions.js';
import type { TaskState } from '../../agent/api/schemas.js';

export interface SeedArray extends Partial<NewSubmission> {
  firstJobId: string;
  n: number;
  /** Every task's state (default queued). */
  taskState?: TaskState;
}

/** Returns the submission id and, by index, the ids of the tasks and of their attempts. */
export function seedArray(
  repos: Repos,
  o: SeedArray,
): { sub: number; taskIds: number[]; attemptIds: number[] } {
  const { firstJobId, n, taskState = 'queued', ...fields } = o;
  const at = fields.createdAt ?? 1;
  const sub = repos.submissions.create({
    name: 'build',
    origin: 'submit',
    args: [`--array=0-${n - 1}`, 'b.sbatch'],
    cwd: '/w',
    env: {},
    arraySpec: `0-${n - 1}`,
    throttle: null,
    doneMarker: null,
    progress: null,
    checkpointRegex: null,
    maxAttempts: null,
    resume: true,
    recipeNotes: [],
    createdAt: at,
    ...fields,
    firstJobId,
  });
  const taskIds: number[] = [];
  const attemptIds: number[] = [];
  for (let i = 0; i < n; i++) {
    const task = repos.tasks.ensure(sub, i, taskState, at);
    const jobId = `${firstJobId}_${i}`;
    attemptIds.push(
      repos.attempts.insert({ taskId: task, jobId, arrayJobId: firstJobId, intentId: null, createdAt: at }),
    );
    repos.tasks.recordAttempt(task, jobId, at);
    taskIds.push(task);
  }
  return { sub, taskIds, attemptIds };
}
