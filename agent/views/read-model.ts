// The read model behind the API's GET routes: repository rows turned into the shapes of agent/api/schemas.ts.
import type { Statement } from 'better-sqlite3';
import type { ApiEvent, Submission, SubmissionDetail } from '../api/schemas.js';
import type { Repos } from '../db/repos/index.js';
import type { AttemptRow, EventRow, TaskRow } from '../db/repos/rows.js';
import { isAgentError } from '../errors.js';
import type { JobRef, ReadModel } from '../http/deps.js';
import { resolveTarget, type Resolved } from '../tasks/targets.js';
import { attemptView, eventView, submissionView, taskView, type ApiAttempt } from './convert.js';
import { TaskListQuery } from './task-list.js';

/** Events shown with a submission's detail: the newest ones, oldest first. */
export const DETAIL_EVENTS = 200;

/** The kind of event the resume executor records for each decision (its data.decision names the outcome). */
export const DECISION_EVENT_KIND = 'decision';

function decisionOf(e: EventRow): string {
  const d = e.data?.decision;
  return typeof d === 'string' ? d : e.message;
}

export class RepoReadModel implements ReadModel {
  private readonly repos: Repos;
  private readonly taskList: TaskListQuery;
  private readonly changes: Statement<[], number>;
  private listCache: { key: string; value: Submission[] } | undefined;

  /** `fresh` runs before list and detail answers (agent/tracker/freshness.ts); none in tests of the views alone. */
  constructor(
    repos: Repos,
    private readonly freshness?: { ensure(): Promise<void> },
  ) {
    this.repos = repos;
    this.taskList = new TaskListQuery(repos.db);
    this.changes = repos.db.prepare<[], number>('SELECT total_changes()').pluck() as Statement<[], number>;
  }

  async fresh(): Promise<void> {
    await this.freshness?.ensure();
  }

  /**
   * Every submission with its tasks: two queries whatever the number of tasks. `ls` is the command people
   * run most, so the answer is kept until the database changes (this connection's total_changes() or another
   * connection's commit, PRAGMA data_version). The objects returned are shared: callers must not modify them.
   */
  submissions(): Submission[] {
    const key = `${this.repos.db.pragma('data_version', { simple: true }) as number}:${this.changes.get() as number}`;
    if (this.listCache?.key === key) return this.listCache.value;
    const bySubmission = this.taskList.bySubmission();
    const value = this.repos.submissions.list().map((s) => submissionView(s, bySubmission.get(s.id) ?? []));
    this.listCache = { key, value };
    return value;
  }

  submission(id: number): SubmissionDetail | undefined {
    const s = this.repos.submissions.get(id);
    if (!s) return undefined;
    const taskRows = this.repos.tasks.bySubmission(id);
    const attempts = new Map<number, AttemptRow[]>();
    for (const a of this.repos.attempts.bySubmission(id)) {
      let list = attempts.get(a.taskId);
      if (!list) attempts.set(a.taskId, (list = []));
      list.push(a);
    }
    const events = this.repos.events.list({ submissionId: id, limit: DETAIL_EVENTS });
    const decisions = new Map<string, string>();
    for (const e of events)
      if (e.kind === DECISION_EVENT_KIND && e.jobId) decisions.set(e.jobId, decisionOf(e));
    const tasks = taskRows.map((t) => ({
      ...taskView(t),
      history: history(t, attempts.get(t.id) ?? [], decisions),
    }));
    return { ...submissionView(s, tasks), events: events.map(eventView) };
  }

  events(q: { submissionId?: number | undefined; afterId?: number | undefined; limit: number }): ApiEvent[] {
    return this.repos.events.list(q).map(eventView);
  }

  /** Which submission (and task) a job id names, by the same rules as hold/release/resubmit/logs. */
  resolveJob(jobId: string): JobRef | undefined {
    let r: Resolved;
    try {
      r = resolveTarget(this.repos, jobId);
    } catch (err) {
      if (isAgentError(err, 'AGENT_ERR_NOT_FOUND') || isAgentError(err, 'AGENT_ERR_BAD_REQUEST'))
        return undefined;
      throw err;
    }
    return { submissionId: r.sub.id, index: r.task && r.sub.arraySpec !== null ? r.task.index : null };
  }
}

function history(task: TaskRow, attempts: AttemptRow[], decisions: Map<string, string>): ApiAttempt[] {
  return attempts.map((a, i) => {
    const view = attemptView(a);
    const recorded = decisions.get(a.jobId);
    // Older decisions may have scrolled out of the detail's events; the latest one is the task's reason.
    view.decision = recorded ?? (a.decided && i === attempts.length - 1 ? task.reason : null);
    return view;
  });
}
