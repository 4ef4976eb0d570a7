// The read model behind the API's GET routes: repository rows turned into the shapes of agent/api/schemas.ts.
import type { Statement } from 'better-sqlite3';
import type { ApiEvent, Submission, SubmissionDetail } from '../api/schemas.js';
import type { Repos } from '../db/repos/index.js';
import { isAgentError } from '../errors.js';
import type { JobRef, ReadModel } from '../http/deps.js';
import { resolveTarget, type Resolved } from '../tasks/targets.js';
import { eventView, submissionView } from './convert.js';
import { allWaits, waitOf } from '../tasks/waits.js';
import { waitingView } from '../pipeline/view.js';
import { SubmissionDetailQuery } from './submission-detail.js';
import { TaskListQuery } from './task-list.js';

/** Events shown with a submission's detail: the newest ones, oldest first. */
const DETAIL_EVENTS = 200;

/** Details kept while the database is unchanged: the few submissions someone is looking at. */
const DETAILS_KEPT = 8;

export class RepoReadModel implements ReadModel {
  private readonly repos: Repos;
  private readonly taskList: TaskListQuery;
  private readonly detail: SubmissionDetailQuery;
  private readonly changes: Statement<[], number>;
  private listCache: { key: string; value: Submission[] } | undefined;
  private readonly detailCache = new Map<number, { key: string; value: SubmissionDetail }>();

  /**
   * `freshness` runs before list and detail answers (agent/tracker/freshness.ts); `writer` (agent/tasks/)
   * tells which submissions changed, so a detail outlives writes to others. Neither in tests of the views alone.
   */
  constructor(
    repos: Repos,
    private readonly freshness?: { ensure(): Promise<void> },
    private readonly writer?: { changeOf(submissionId: number): string },
  ) {
    this.repos = repos;
    this.taskList = new TaskListQuery(repos.db);
    this.detail = new SubmissionDetailQuery(repos.db);
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
    const key = this.changeKey();
    if (this.listCache?.key === key) return this.listCache.value;
    const bySubmission = this.taskList.bySubmission();
    const waits = allWaits({ repos: this.repos });
    const view = (id: number) => {
      const w = waits.get(id);
      return w && waitingView(w);
    };
    const value = this.repos.submissions
      .list()
      .map((s) => submissionView(s, bySubmission.get(s.id) ?? [], view(s.id)));
    this.listCache = { key, value };
    return value;
  }

  /**
   * One submission with each task's attempts (each with its stored decision) and the newest events: three
   * queries whatever the number of tasks, and none while the submission is unchanged (the answer is shared,
   * as the list's is).
   */
  submission(id: number): SubmissionDetail | undefined {
    // Another connection's commit (data_version) or a write to this submission; without the writer, any write.
    const key = this.writer
      ? `${this.repos.db.pragma('data_version', { simple: true }) as number}:${this.writer.changeOf(id)}`
      : this.changeKey();
    const cached = this.detailCache.get(id);
    if (cached?.key === key) return cached.value;
    const s = this.repos.submissions.get(id);
    if (!s) return undefined;
    const events = this.repos.events.list({ submissionId: id, limit: DETAIL_EVENTS });
    const w = waitOf({ repos: this.repos }, id);
    const value = {
      ...submissionView(s, this.detail.tasksOf(id), w && waitingView(w)),
      events: events.map(eventView),
    };
    this.detailCache.delete(id);
    this.detailCache.set(id, { key, value });
    for (const old of this.detailCache.keys()) {
      if (this.detailCache.size <= DETAILS_KEPT) break;
      this.detailCache.delete(old);
    }
    return value;
  }

  /** Changes with every write: this connection's total_changes() or another connection's commit. */
  private changeKey(): string {
    return `${this.repos.db.pragma('data_version', { simple: true }) as number}:${this.changes.get() as number}`;
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
