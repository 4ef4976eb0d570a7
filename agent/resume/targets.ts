// Resolves what a person names on the command line to a submission and some of its tasks.
import type { Repos, SubmissionRow, TaskRow } from '../db/repos/index.js';
import { AgentError } from '../errors.js';

export interface Resolved {
  sub: SubmissionRow;
  /** The named task, or null when the whole submission was named. */
  task: TaskRow | null;
}

/** "#12" and "#12:7" name submission 12 (task 7); "1234" and "1234_7" are job ids as Slurm writes them. */
export function resolveTarget(repos: Repos, target: string): Resolved {
  const notFound = () =>
    new AgentError('AGENT_ERR_NOT_FOUND', `no tracked submission or task matches "${target}"`);
  const hash = /^#(\d+)(?::(\d+))?$/.exec(target);
  if (hash) {
    const sub = repos.submissions.get(Number(hash[1]));
    if (!sub) throw notFound();
    if (hash[2] === undefined) return { sub, task: null };
    const task = repos.tasks.find(sub.id, Number(hash[2]));
    if (!task) throw notFound();
    return { sub, task };
  }
  const m = /^(\d+)(?:_(\d+))?$/.exec(target);
  if (!m)
    throw new AgentError(
      'AGENT_ERR_BAD_REQUEST',
      `"${target}" is neither a job id (1234, 1234_7) nor #SUBMISSION[:INDEX]`,
    );
  const attempt = repos.attempts.byJobId(target);
  if (attempt) {
    const task = repos.tasks.get(attempt.taskId) as TaskRow;
    const sub = repos.submissions.get(task.submissionId) as SubmissionRow;
    return { sub, task: m[2] === undefined && sub.arraySpec !== null ? null : task };
  }
  const sub = repos.submissions.byFirstJobId(m[1] as string);
  if (!sub) throw notFound();
  if (m[2] === undefined) return { sub, task: null };
  const task = repos.tasks.find(sub.id, Number(m[2]));
  if (!task) throw notFound();
  return { sub, task };
}
