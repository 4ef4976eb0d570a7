// GET /submissions?view=summary: the list as the human `ls` prints it, each submission's tasks replaced by
// their groups (shared/task-groups.ts). 10,000 tasks are ~1.6 MB of JSON in the full list, which the client
// spent most of its start-up receiving and parsing; their groups are usually a few lines.
import type { Submission, SubmissionSummary } from '../api/schemas.js';
import { groupTasks } from '../../shared/task-groups.js';

export function submissionSummary(s: Submission): SubmissionSummary {
  const { tasks, ...rest } = s;
  return { ...rest, taskCount: tasks.length, groups: groupTasks(tasks) };
}

export class ListSummary {
  /** Per list object: the read model and ListFilter return the same one while nothing changed (read.ts). */
  private readonly kept = new WeakMap<Submission[], SubmissionSummary[]>();

  of(list: Submission[]): SubmissionSummary[] {
    let out = this.kept.get(list);
    if (!out) this.kept.set(list, (out = list.map(submissionSummary)));
    return out;
  }
}
