// Tasks: one per array index of a submission, with the state users see.
import type { Database, Statement } from 'better-sqlite3';
import type { TaskState } from '../../api/schemas.js';
import type { TaskRow } from './rows.js';

interface Raw {
  id: number;
  submission_id: number;
  array_index: number;
  state: TaskState;
  held: number;
  attempts: number;
  latest_job_id: string | null;
  reason: string | null;
  diagnosis_cause: string | null;
  diagnosis_hint: string | null;
  diagnosis_line: string | null;
  updated_at: number;
}

function decode(r: Raw): TaskRow {
  return {
    id: r.id,
    submissionId: r.submission_id,
    index: r.array_index,
    state: r.state,
    held: r.held === 1,
    attempts: r.attempts,
    latestJobId: r.latest_job_id,
    reason: r.reason,
    diagnosisCause: r.diagnosis_cause,
    diagnosisHint: r.diagnosis_hint,
    diagnosisLine: r.diagnosis_line,
    updatedAt: r.updated_at,
  };
}

export interface DiagnosisFields {
  cause: string;
  hint: string;
  line?: string | undefined;
}

export class TaskRepo {
  private readonly s: Record<string, Statement>;

  constructor(db: Database) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO tasks (submission_id, array_index, state, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (submission_id, array_index) DO NOTHING`,
      ),
      idOf: db.prepare('SELECT id FROM tasks WHERE submission_id = ? AND array_index = ?'),
      get: db.prepare('SELECT * FROM tasks WHERE id = ?'),
      bySubmission: db.prepare('SELECT * FROM tasks WHERE submission_id = ? ORDER BY array_index'),
      all: db.prepare('SELECT * FROM tasks ORDER BY submission_id, array_index'),
      setState: db.prepare('UPDATE tasks SET state = ?, reason = ?, updated_at = ? WHERE id = ?'),
      setHeld: db.prepare('UPDATE tasks SET held = ?, updated_at = ? WHERE id = ?'),
      addAttempt: db.prepare(
        'UPDATE tasks SET attempts = attempts + 1, latest_job_id = ?, updated_at = ? WHERE id = ?',
      ),
      setDiagnosis: db.prepare(
        `UPDATE tasks SET diagnosis_cause = ?, diagnosis_hint = ?, diagnosis_line = ?, updated_at = ?
         WHERE id = ?`,
      ),
      countByState: db.prepare('SELECT state, count(*) AS n FROM tasks GROUP BY state'),
      liveStates: db.prepare(
        'SELECT id, state, submission_id FROM tasks WHERE id IN (SELECT task_id FROM attempts WHERE ended = 0)',
      ),
    };
  }

  /** Creates the task if it does not exist; returns its id either way. */
  ensure(submissionId: number, index: number, state: TaskState, now: number): number {
    this.s.insert!.run(submissionId, index, state, now);
    return (this.s.idOf!.get(submissionId, index) as { id: number }).id;
  }

  get(id: number): TaskRow | undefined {
    const r = this.s.get!.get(id) as Raw | undefined;
    return r && decode(r);
  }

  find(submissionId: number, index: number): TaskRow | undefined {
    const r = this.s.idOf!.get(submissionId, index) as { id: number } | undefined;
    return r && this.get(r.id);
  }

  bySubmission(submissionId: number): TaskRow[] {
    return (this.s.bySubmission!.all(submissionId) as Raw[]).map(decode);
  }

  all(): TaskRow[] {
    return (this.s.all!.all() as Raw[]).map(decode);
  }

  setState(id: number, state: TaskState, reason: string | null, now: number): void {
    this.s.setState!.run(state, reason, now, id);
  }

  setHeld(id: number, held: boolean, now: number): void {
    this.s.setHeld!.run(held ? 1 : 0, now, id);
  }

  recordAttempt(id: number, jobId: string, now: number): void {
    this.s.addAttempt!.run(jobId, now, id);
  }

  setDiagnosis(id: number, d: DiagnosisFields | null, now: number): void {
    this.s.setDiagnosis!.run(d?.cause ?? null, d?.hint ?? null, d?.line ?? null, now, id);
  }

  /** The state (and submission) of every task with a live attempt, by task id: one query per tracker cycle. */
  liveStates(): Map<number, { state: TaskState; submissionId: number }> {
    const rows = this.s.liveStates!.all() as { id: number; state: TaskState; submission_id: number }[];
    return new Map(rows.map((r) => [r.id, { state: r.state, submissionId: r.submission_id }]));
  }

  countByState(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.s.countByState!.all() as { state: string; n: number }[]) out[r.state] = r.n;
    return out;
  }
}
