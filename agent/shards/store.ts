// The shard_samples table (migrations/0002-shard-samples.sql): a time series of count and bytes per folder.
import type { Database, Statement } from 'better-sqlite3';

export interface ShardSample {
  /** Absolute folder path. */
  dir: string;
  /** Milliseconds since the Unix epoch. */
  at: number;
  count: number;
  bytes: number;
}

type Statements = Record<'insert' | 'atOrBefore' | 'firstAfter' | 'latest' | 'series' | 'prune', Statement>;

export class ShardStore {
  private prepared: { s: Statements; insertMany: (samples: readonly ShardSample[]) => void } | null = null;

  /** `db` may be a getter: the agent's database opens in start(), after the store is built. */
  constructor(private readonly db: Database | (() => Database)) {}

  /** The statements, prepared at the first use. */
  private get q(): { s: Statements; insertMany: (samples: readonly ShardSample[]) => void } {
    if (this.prepared) return this.prepared;
    const db = typeof this.db === 'function' ? this.db() : this.db;
    const s: Statements = {
      insert: db.prepare(
        `INSERT INTO shard_samples (dir, at, count, bytes) VALUES (@dir, @at, @count, @bytes)
         ON CONFLICT (dir, at) DO UPDATE SET count = excluded.count, bytes = excluded.bytes`,
      ),
      atOrBefore: db.prepare(
        'SELECT dir, at, count, bytes FROM shard_samples WHERE dir = ? AND at <= ? ORDER BY at DESC LIMIT 1',
      ),
      firstAfter: db.prepare(
        'SELECT dir, at, count, bytes FROM shard_samples WHERE dir = ? AND at > ? ORDER BY at ASC LIMIT 1',
      ),
      latest: db.prepare(
        'SELECT dir, at, count, bytes FROM shard_samples WHERE dir = ? ORDER BY at DESC LIMIT 1',
      ),
      series: db.prepare(
        'SELECT dir, at, count, bytes FROM shard_samples WHERE dir = ? AND at >= ? ORDER BY at ASC LIMIT ?',
      ),
      // Keep each folder's newest row whatever its age: it is the value now.
      prune: db.prepare(
        `DELETE FROM shard_samples WHERE at < ?
           AND at < (SELECT max(s.at) FROM shard_samples s WHERE s.dir = shard_samples.dir)`,
      ),
    };
    const insertMany = db.transaction((samples: readonly ShardSample[]) => {
      for (const sample of samples) s.insert.run(sample);
    });
    this.prepared = { s, insertMany };
    return this.prepared;
  }

  /** Records samples in one transaction; a second sample for the same folder and millisecond replaces the first. */
  record(samples: readonly ShardSample[]): void {
    if (samples.length) this.q.insertMany(samples);
  }

  latest(dir: string): ShardSample | null {
    return (this.q.s.latest.get(dir) as ShardSample | undefined) ?? null;
  }

  /**
   * The sample a rate since `since` should start from: the newest at or before it (the value at that moment),
   * else the oldest after it (the series starts inside the window).
   */
  baseline(dir: string, since: number): ShardSample | null {
    return (
      (this.q.s.atOrBefore.get(dir, since) as ShardSample | undefined) ??
      (this.q.s.firstAfter.get(dir, since) as ShardSample | undefined) ??
      null
    );
  }

  /** The folder's newest sample from before `at` (what an earlier run of the agent last counted). */
  before(dir: string, at: number): ShardSample | null {
    return (this.q.s.atOrBefore.get(dir, at - 1) as ShardSample | undefined) ?? null;
  }

  /** Samples of one folder from `since`, oldest first. */
  series(dir: string, since: number, limit = 10_000): ShardSample[] {
    return this.q.s.series.all(dir, since, limit) as ShardSample[];
  }

  /** Deletes samples older than `before` (each folder keeps its newest); returns how many went. */
  prune(before: number): number {
    return this.q.s.prune.run(before).changes;
  }
}
