// Events: the history users read in `emb-client events` and `show`, newest last.
import type { Database, Statement } from 'better-sqlite3';
import { scrubSecrets } from '../../log.js';
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
  kind: string;
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

  /** Stores an event; messages and data are scrubbed of secrets, as every event may reach the API. */
  add(e: NewEvent): number {
    const info = this.insertStmt.run(
      e.at,
      e.level,
      e.kind,
      e.submissionId ?? null,
      e.taskId ?? null,
      e.jobId ?? null,
      scrubSecrets(e.message),
      e.data ? scrubSecrets(JSON.stringify(e.data)) : null,
    );
    return Number(info.lastInsertRowid);
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
