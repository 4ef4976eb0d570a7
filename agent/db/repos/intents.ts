// Intents: a resubmission written down before sbatch runs, so a crash can neither lose nor repeat it.
import type { Database, Statement } from 'better-sqlite3';
import { AgentError } from '../../errors.js';
import type { IntentRow } from './rows.js';

interface Raw {
  id: number;
  submission_id: number;
  kind: IntentRow['kind'];
  indices: string;
  args: string;
  tag: string;
  state: IntentRow['state'];
  job_id: string | null;
  tries: number;
  next_try_at: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

function decode(r: Raw): IntentRow {
  return {
    id: r.id,
    submissionId: r.submission_id,
    kind: r.kind,
    indices: JSON.parse(r.indices) as number[],
    args: JSON.parse(r.args) as string[],
    tag: r.tag,
    state: r.state,
    jobId: r.job_id,
    tries: r.tries,
    nextTryAt: r.next_try_at,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class IntentRepo {
  private readonly s: Record<string, Statement>;

  constructor(db: Database) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO intents (submission_id, kind, indices, args, tag, state, created_at, updated_at)
         VALUES (?, ?, ?, '[]', ?, 'pending', ?, ?)`,
      ),
      setTagArgs: db.prepare('UPDATE intents SET tag = ?, args = ? WHERE id = ?'),
      get: db.prepare('SELECT * FROM intents WHERE id = ?'),
      pending: db.prepare("SELECT * FROM intents WHERE state = 'pending' ORDER BY id"),
      confirm: db.prepare("UPDATE intents SET state = 'confirmed', job_id = ?, updated_at = ? WHERE id = ?"),
      fail: db.prepare("UPDATE intents SET state = 'failed', error = ?, updated_at = ? WHERE id = ?"),
      retry: db.prepare(
        'UPDATE intents SET tries = tries + 1, next_try_at = ?, error = ?, updated_at = ? WHERE id = ?',
      ),
      byState: db.prepare('SELECT state, count(*) AS n FROM intents GROUP BY state'),
      sentSince: db.prepare(
        "SELECT count(*) AS n FROM intents WHERE state IN ('pending', 'confirmed') AND created_at >= ?",
      ),
    };
  }

  /**
   * Creates an intent. Its tag embeds the intent id, so the row is inserted first and completed after;
   * call it inside a transaction so no half-made intent is ever visible.
   */
  create(
    submissionId: number,
    kind: IntentRow['kind'],
    indices: number[],
    build: (id: number) => { tag: string; args: string[] },
    now: number,
  ): IntentRow {
    const placeholder = `new-${submissionId}-${now}-${process.hrtime.bigint()}`;
    const info = this.s.insert!.run(submissionId, kind, JSON.stringify(indices), placeholder, now, now);
    const id = Number(info.lastInsertRowid);
    const { tag, args } = build(id);
    this.s.setTagArgs!.run(tag, JSON.stringify(args), id);
    const row = this.get(id);
    // Read back inside the same transaction: only a broken database loses it.
    if (!row) throw new AgentError('AGENT_ERR_INTERNAL', `intent ${id} vanished as it was made`);
    return row;
  }

  get(id: number): IntentRow | undefined {
    const r = this.s.get!.get(id) as Raw | undefined;
    return r && decode(r);
  }

  pending(): IntentRow[] {
    return (this.s.pending!.all() as Raw[]).map(decode);
  }

  confirm(id: number, jobId: string, now: number): void {
    this.s.confirm!.run(jobId, now, id);
  }

  fail(id: number, error: string, now: number): void {
    this.s.fail!.run(error, now, id);
  }

  retryLater(id: number, nextTryAt: number, error: string, now: number): void {
    this.s.retry!.run(nextTryAt, error, now, id);
  }

  countByState(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.s.byState!.all() as { state: string; n: number }[]) out[r.state] = r.n;
    return out;
  }

  /** Intents created since `since` that went or may have gone to sbatch: the hourly budget counts these. */
  countSince(since: number): number {
    return (this.s.sentSince!.get(since) as { n: number }).n;
  }
}
