// The read model behind the API's GET routes: repository rows turned into the shapes of agent/api/schemas.ts.
import type { Statement } from 'better-sqlite3';
import type { ApiEvent, Submission, SubmissionDetail } from '../api/schemas.js';
import type { Repos } from '../db/repos/index.js';
import type { AttemptRow, EventRow, TaskRow } from '../db/repos/rows.js';
import type { JobRef, ReadModel } from '../http/deps.js';
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
  private readonly jobRefByAttempt: Statement<
    [string, string],
    { submission_id: number; array_index: number }
  >;
  private readonly jobRefByArrayJob: Statement<[string], { submission_id: number }>;
  private readonly taskList: TaskListQuery;
  private readonly changes: Statement<[], number>;
  private listCache: { key: string; value: Submission[] } | undefined;

  constructor(repos: Repos) {
    this.repos = repos;
    this.taskList = new TaskListQuery(repos.db);
    this.changes = repos.db.prepare<[], number>('SELECT total_changes()').pluck() as Statement<[], number>;
    this.jobRefByAttempt = repos.db.prepare(
      `SELECT t.submission_id, t.array_index FROM attempts a JOIN tasks t ON t.id = a.task_id
       WHERE a.job_id = ? OR a.job_id_raw = ? LIMIT 1`,
    );
    this.jobRefByArrayJob = repos.db.prepare(
      `SELECT t.submission_id FROM attempts a JOIN tasks t ON t.id = a.task_id
       WHERE a.array_job_id = ? ORDER BY a.id LIMIT 1`,
    );
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

  /**
   * Which submission (and task) a job id names: "1234" is a submission's first job or any resubmission's
   * array job; "1234_7" is one attempt, or task 7 of the submission first submitted as 1234.
   */
  resolveJob(jobId: string): JobRef | undefined {
    const m = /^(\d+)(?:_(\d+))?$/.exec(jobId);
    if (!m) return undefined;
    const base = m[1] as string;
    if (m[2] === undefined) {
      const first = this.repos.submissions.byFirstJobId(base);
      if (first) return { submissionId: first.id, index: null };
      const any = this.jobRefByArrayJob.get(base);
      if (any) return { submissionId: any.submission_id, index: null };
      const plain = this.jobRefByAttempt.get(base, base);
      return plain && { submissionId: plain.submission_id, index: null };
    }
    const attempt = this.jobRefByAttempt.get(jobId, jobId);
    if (attempt) return { submissionId: attempt.submission_id, index: attempt.array_index };
    const first = this.repos.submissions.byFirstJobId(base);
    const index = Number(m[2]);
    if (first && this.repos.tasks.find(first.id, index)) return { submissionId: first.id, index };
    return undefined;
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
