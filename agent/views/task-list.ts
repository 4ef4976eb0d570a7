// All tasks in one query, straight into API shapes: the list behind `ls`, built for 10,000s of tasks.
import type { Database, Statement } from 'better-sqlite3';
import type { Task, TaskState } from '../api/schemas.js';
import { scrubSecrets } from '../log.js';

export type TaskListRow = [
  submissionId: number,
  index: number,
  state: TaskState,
  attempts: number,
  latestJobId: string | null,
  cause: string | null,
  hint: string | null,
  line: string | null,
  reason: string | null,
  held: number,
  updatedAt: number,
  pending: string | null,
];

/** The columns of TaskListRow, for a query that selects them. */
export const TASK_LIST_COLUMNS = `submission_id, array_index, state, attempts, latest_job_id, diagnosis_cause,
  diagnosis_hint, diagnosis_line, reason, held, updated_at,
  (SELECT state_detail FROM attempts WHERE attempts.job_id = tasks.latest_job_id
     AND attempts.slurm_state = 'PENDING') AS pending`;

/** Converts many rows: each distinct value is formatted (or scrubbed) once, as many tasks share them. */
export class RowText {
  private readonly isoMs = new Map<number, string>();
  private readonly isoS = new Map<number, string>();
  private readonly clean = new Map<string, string>();

  /** Unix milliseconds (created_at, updated_at, events.at). */
  ms(at: number): string {
    let text = this.isoMs.get(at);
    if (text === undefined) this.isoMs.set(at, (text = new Date(at).toISOString()));
    return text;
  }

  /** Unix seconds, as the scheduler gives them (attempts' times). */
  seconds(at: number | null): string | null {
    if (at === null) return null;
    let text = this.isoS.get(at);
    if (text === undefined) this.isoS.set(at, (text = new Date(at * 1000).toISOString()));
    return text;
  }

  scrub(text: string): string {
    let out = this.clean.get(text);
    if (out === undefined) this.clean.set(text, (out = scrubSecrets(text)));
    return out;
  }
}

/** One row as the API shows it. */
export function taskFromRow(r: TaskListRow, text: RowText): Task {
  const cause = r[5];
  return {
    index: r[1],
    state: r[2],
    attempts: r[3],
    jobId: r[4],
    diagnosis:
      cause === null
        ? null
        : r[7] === null
          ? { cause, hint: text.scrub(r[6] ?? '') }
          : { cause, hint: text.scrub(r[6] ?? ''), line: text.scrub(r[7]) },
    reason: r[8] === null ? null : text.scrub(r[8]),
    held: r[9] === 1,
    updatedAt: text.ms(r[10]),
    // squeue's reason for the latest attempt while it is pending (one indexed lookup per task).
    ...(r[11] === null ? {} : { pending: text.scrub(r[11]) }),
  };
}

export class TaskListQuery {
  // Array rows and only the needed columns: half the time of decoding TaskRows and then converting them.
  private readonly stmt: Statement<[], TaskListRow>;

  constructor(db: Database) {
    this.stmt = db
      .prepare(`SELECT ${TASK_LIST_COLUMNS} FROM tasks ORDER BY submission_id, array_index`)
      .raw(true) as unknown as Statement<[], TaskListRow>;
  }

  /** Tasks grouped by submission id, each list in index order. */
  bySubmission(): Map<number, Task[]> {
    const out = new Map<number, Task[]>();
    // Many tasks share an update time (one decision batch updates them together) and a reason.
    const text = new RowText();
    let current = -1;
    let list: Task[] = [];
    for (const r of this.stmt.all()) {
      if (r[0] !== current) {
        current = r[0];
        out.set(current, (list = []));
      }
      list.push(taskFromRow(r, text));
    }
    return out;
  }
}
