// The one place an attempt is created: a submit's first jobs, an adopted job's tasks and a resubmission's.
import type { NewAttempt } from '../db/repos/attempts.js';
import type { TaskLife } from './life.js';

/**
 * Records the attempt and counts it on its task, which now names its job id. An attempt already known by
 * its job id is kept as it is (its id is returned), as sbatch never gives one id twice. Call it inside
 * TaskLife.atomically.
 */
export function newAttempt(life: TaskLife, a: Omit<NewAttempt, 'createdAt'>): number {
  const now = life.clock.now();
  const id = life.repos.attempts.insert({ ...a, createdAt: now });
  life.repos.tasks.recordAttempt(a.taskId, a.jobId, now);
  return id;
}
