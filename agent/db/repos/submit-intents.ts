// Submit intents: a user's submit written down before sbatch runs (see migrations/0003-submit-intents.sql).
import type { Database, Statement } from 'better-sqlite3';
import type { NewSubmission } from './submissions.js';

/** What is recorded as the submission once the job id is known. */
export type SubmitRecipe = Omit<NewSubmission, 'firstJobId' | 'createdAt'>;

export interface SubmitIntentRow {
  id: number;
  tag: string | null;
  recipe: SubmitRecipe;
  indices: number[];
  isArray: boolean;
  state: 'pending' | 'confirmed' | 'failed';
  jobId: string | null;
  submissionId: number | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

interface Raw {
  id: number;
  tag: string | null;
  recipe: string;
  indices: string;
  is_array: number;
  state: SubmitIntentRow['state'];
  job_id: string | null;
  submission_id: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

function decode(r: Raw): SubmitIntentRow {
  return {
    id: r.id,
    tag: r.tag,
    recipe: JSON.parse(r.recipe) as SubmitRecipe,
    indices: JSON.parse(r.indices) as number[],
    isArray: r.is_array === 1,
    state: r.state,
    jobId: r.job_id,
    submissionId: r.submission_id,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SubmitIntentRepo {
  private readonly s: Record<'insert' | 'get' | 'pending' | 'confirm' | 'fail' | 'probe', Statement>;

  constructor(db: Database) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO submit_intents (tag, recipe, indices, is_array, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      ),
      get: db.prepare('SELECT * FROM submit_intents WHERE id = ?'),
      pending: db.prepare("SELECT * FROM submit_intents WHERE state = 'pending' ORDER BY id"),
      confirm: db.prepare(
        "UPDATE submit_intents SET state = 'confirmed', job_id = ?, submission_id = ?, updated_at = ? WHERE id = ?",
      ),
      fail: db.prepare(
        "UPDATE submit_intents SET state = 'failed', error = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
      ),
      probe: db.prepare('UPDATE write_probe SET at = ? WHERE id = 1'),
    };
  }

  create(tag: string | null, recipe: SubmitRecipe, indices: number[], isArray: boolean, now: number): number {
    const info = this.s.insert.run(
      tag,
      JSON.stringify(recipe),
      JSON.stringify(indices),
      isArray ? 1 : 0,
      now,
      now,
    );
    return Number(info.lastInsertRowid);
  }

  get(id: number): SubmitIntentRow | undefined {
    const r = this.s.get.get(id) as Raw | undefined;
    return r && decode(r);
  }

  pending(): SubmitIntentRow[] {
    return (this.s.pending.all() as Raw[]).map(decode);
  }

  confirm(id: number, jobId: string, submissionId: number, now: number): void {
    this.s.confirm.run(jobId, submissionId, now, id);
  }

  fail(id: number, error: string, now: number): void {
    this.s.fail.run(error, now, id);
  }

  /** Rewrites the probe row: throws when the database cannot be written (SQLITE_FULL, SQLITE_READONLY, ...). */
  probeWrite(now: number): void {
    this.s.probe.run(now);
  }
}
