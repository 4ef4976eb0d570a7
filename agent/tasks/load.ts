// Rows a caller holds the id of, read back: a missing one is a coded error, not a cast that hides it.
import type { Repos, SubmissionRow, TaskRow } from '../db/repos/index.js';
import { missingRow } from './life.js';

export function loadTask(repos: Repos, id: number): TaskRow {
  const task = repos.tasks.get(id);
  if (!task) throw missingRow('task', id);
  return task;
}

export function loadSubmission(repos: Repos, id: number): SubmissionRow {
  const sub = repos.submissions.get(id);
  if (!sub) throw missingRow('submission', id);
  return sub;
}
