// One submission's tasks with their attempt histories, straight into API shapes: three queries whatever the
// number of tasks, array rows and only the columns shown (`emb-client show` of a 1,000-task array).
import type { Database, Statement } from 'better-sqlite3';
import type { Task } from '../api/schemas.js';
import type { ApiAttempt } from './convert.js';
import { RowText, TASK_LIST_COLUMNS, taskFromRow, type TaskListRow } from './task-list.js';

type TaskRowWithId = [...TaskListRow, id: number];

type AttemptViewRow = [
  taskId: number,
  jobId: string,
  slurmState: string,
  stateDetail: string | null,
  exitCode: number | null,
  exitSignal: number | null,
  submittedAt: number | null,
  startedAt: number | null,
  endedAt: number | null,
  ended: number,
  stdoutPath: string | null,
  checkpointSeen: number,
  decision: string | null,
  node: string | null,
  timeLimitMinutes: number | null,
];

export type DetailTask = Task & { history: ApiAttempt[] };

export class SubmissionDetailQuery {
  private readonly tasks: Statement<[number], TaskRowWithId>;
  private readonly attempts: Statement<[number], AttemptViewRow>;

  constructor(db: Database) {
    this.tasks = db
      .prepare(`SELECT ${TASK_LIST_COLUMNS}, id FROM tasks WHERE submission_id = ? ORDER BY array_index`)
      .raw(true) as unknown as Statement<[number], TaskRowWithId>;
    this.attempts = db
      .prepare(
        `SELECT task_id, job_id, slurm_state, state_detail, exit_code, exit_signal, submitted_at, started_at,
                ended_at, ended, stdout_path, checkpoint_seen, decision, node, time_limit_minutes
         FROM attempts WHERE task_id IN (SELECT id FROM tasks WHERE submission_id = ?)
         ORDER BY task_id, id`,
      )
      .raw(true) as unknown as Statement<[number], AttemptViewRow>;
  }

  /** The submission's tasks in index order, each with its attempts oldest first. */
  tasksOf(submissionId: number): DetailTask[] {
    const histories = new Map<number, ApiAttempt[]>();
    // Attempts of one array job share their times, and tasks their reasons: each is converted once.
    const text = new RowText();
    for (const r of this.attempts.all(submissionId)) {
      let list = histories.get(r[0]);
      if (!list) histories.set(r[0], (list = []));
      list.push({
        jobId: r[1],
        slurmState: r[2],
        stateDetail: r[3] === null ? null : text.scrub(r[3]),
        exitCode: r[4],
        exitSignal: r[5],
        submittedAt: text.seconds(r[6]),
        // Rows written by older builds may hold squeue's projected times: only facts are shown.
        startedAt: r[2] === 'PENDING' ? null : text.seconds(r[7]),
        endedAt: r[9] === 1 ? text.seconds(r[8]) : null,
        stdoutPath: r[10],
        checkpointSeen: r[11] === 1,
        decision: r[12],
        node: r[13],
        timeLimitMinutes: r[14],
      });
    }
    return this.tasks.all(submissionId).map((r) => ({
      ...taskFromRow(r as unknown as TaskListRow, text),
      history: histories.get(r[12]) ?? [],
    }));
  }
}
