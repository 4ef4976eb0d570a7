// Resolves what a person names on the command line to a submission and some of its tasks.
import type { Repos, SubmissionRow, TaskRow } from '../db/repos/index.js';
import { AgentError } from '../errors.js';
import { loadSubmission, loadTask } from './load.js';

export interface Resolved {
  sub: SubmissionRow;
  /** The named task, or null when the whole submission was named. */
  task: TaskRow | null;
}

/**
 * What a person or a client names, resolved by one set of rules (hold, release, resubmit, logs, show):
 * "#12" and "#12:7" name submission 12 (task 7); "1234" is a submission's first job, a resubmission's array
 * job, a plain job or one task's raw id; "1234_7" is one attempt, or task 7 of the submission first
 * submitted as 1234. A plain (non-array) job's one task is named by its job id.
 */
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
  const base = m[1] as string;
  if (m[2] !== undefined) {
    const attempt = repos.attempts.byJobOrRawId(target);
    if (attempt) return ofAttempt(repos, attempt.taskId, true);
    const sub = repos.submissions.byFirstJobId(base);
    const task = sub && repos.tasks.find(sub.id, Number(m[2]));
    if (!sub || !task) throw notFound();
    return { sub, task };
  }
  const first = repos.submissions.byFirstJobId(base);
  if (first) return { sub: first, task: first.arraySpec === null ? onlyTask(repos, first) : null };
  const ofArray = repos.attempts.firstOfArrayJob(base);
  if (ofArray) return ofAttempt(repos, ofArray.taskId, false);
  // A raw id names the one task that ran under it.
  const raw = repos.attempts.byJobOrRawId(base);
  if (raw) return ofAttempt(repos, raw.taskId, true);
  throw notFound();
}

/** The submission of a task; the task itself when `named`, or when the submission has no array. */
function ofAttempt(repos: Repos, taskId: number, named: boolean): Resolved {
  const task = loadTask(repos, taskId);
  const sub = loadSubmission(repos, task.submissionId);
  return { sub, task: named || sub.arraySpec === null ? task : null };
}

function onlyTask(repos: Repos, sub: SubmissionRow): TaskRow | null {
  return repos.tasks.bySubmission(sub.id)[0] ?? null;
}
