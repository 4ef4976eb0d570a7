// Events: the history users read in `emb-client events` and `show`, newest last.
import type { Database, Statement } from 'better-sqlite3';
import { scrubSecrets } from '../../log.js';
import type { EventKind } from '../../tasks/event-kinds.js';
import type { EventRow } from './rows.js';

export type NewEvent = Omit<EventRow, 'id' | 'submissionId' | 'taskId' | 'jobId' | 'data'> & {
  submissionId?: number | null;
  taskId?: number | null;
  jobId?: string | null;
  data?: Record<string, unknown> | null;
};

interface Raw {
  id: number;
  at: number;
  level: EventRow['level'];
  kind: EventKind;
  submission_id: number | null;
  task_id: number | null;
  job_id: string | null;
  message: string;
  data: string | null;
}

function decode(r: Raw): EventRow {
  return {
    id: r.id,
    at: r.at,
    level: r.level,
    kind: r.kind,
    submissionId: r.submission_id,
    taskId: r.task_id,
    jobId: r.job_id,
    message: r.message,
    data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
  };
}

export interface EventQuery {
  submissionId?: number | undefined;
  taskId?: number | undefined;
  afterId?: number | undefined;
  limit: number;
}

export class EventRepo {
  private readonly insertStmt: Statement;
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
    this.insertStmt = db.prepare(
      `INSERT INTO events (at, level, kind, submission_id, task_id, job_id, message, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /**
   * Stores an event and returns it as stored: messages and data are scrubbed of secrets, as every event may
   * reach the API (and whoever listens to agent/tasks/).
   */
  add(e: NewEvent): EventRow {
    const raw: Omit<Raw, 'id'> = {
      at: e.at,
      level: e.level,
      kind: e.kind,
      submission_id: e.submissionId ?? null,
      task_id: e.taskId ?? null,
      job_id: e.jobId ?? null,
      message: scrubSecrets(e.message),
      data: e.data ? scrubSecrets(JSON.stringify(e.data)) : null,
    };
    const info = this.insertStmt.run(
      raw.at,
      raw.level,
      raw.kind,
      raw.submission_id,
      raw.task_id,
      raw.job_id,
      raw.message,
      raw.data,
    );
    return decode({ id: Number(info.lastInsertRowid), ...raw });
  }

  /** The newest `limit` events matching the query, returned oldest first. */
  list(q: EventQuery): EventRow[] {
    const where: string[] = [];
    const params: (number | string)[] = [];
    if (q.submissionId !== undefined) {
      where.push('submission_id = ?');
      params.push(q.submissionId);
    }
    if (q.taskId !== undefined) {
      where.push('task_id = ?');
      params.push(q.taskId);
    }
    if (q.afterId !== undefined) {
      where.push('id > ?');
      params.push(q.afterId);
    }
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, q.limit) as Raw[];
    return rows.reverse().map(decode);
  }
}
