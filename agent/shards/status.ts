// Pure computations behind a shard folder's status: rate, ETA, per-task counts and purge warnings.
import type { ShardTask } from '../api/shards.js';
import type { ShardVisitor } from './table.js';

/** A folder's shards (a ShardTable, or a deep scanner's shards at every depth). */
export interface Shards {
  forEach(visit: ShardVisitor): void;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** A rate over less than this is noise. */
const MIN_SPAN_MS = 60_000;

export interface Point {
  at: number;
  count: number;
}

/** Shards per hour from `baseline` to `now`; null when there is no baseline or the span is too short. */
export function ratePerHour(now: Point, baseline: Point | null): number | null {
  if (!baseline) return null;
  const span = now.at - baseline.at;
  if (span < MIN_SPAN_MS) return null;
  return ((now.count - baseline.count) * HOUR_MS) / span;
}

/** Seconds to reach `target` at `rate` per hour: 0 when reached, null when unknowable. */
export function etaSeconds(count: number, target: number | null, rate: number | null): number | null {
  if (target === null) return null;
  if (count >= target) return 0;
  if (rate === null || rate <= 0) return null;
  return Math.round(((target - count) / rate) * 3600);
}

export function perTask(table: Shards): ShardTask[] {
  const byIndex = new Map<number, ShardTask>();
  table.forEach((size, _mtime, index) => {
    if (index === null) return;
    const t = byIndex.get(index) ?? { index, count: 0, bytes: 0 };
    t.count++;
    t.bytes += size;
    byIndex.set(index, t);
  });
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

export interface AgeReport {
  oldestAgeDays: number | null;
  purge: { purgeDays: number; warnAfterDays: number; count: number; oldestAgeDays: number } | null;
}

/** Ages from mtimes; files not statted yet are left out. Warns `warnDaysBefore` days before the purge age. */
export function ages(table: Shards, now: number, purgeDays: number, warnDaysBefore = 3): AgeReport {
  const warnAfterDays = Math.max(0, purgeDays - warnDaysBefore);
  let oldest = Number.POSITIVE_INFINITY;
  let old = 0;
  table.forEach((_size, mtimeMs) => {
    if (mtimeMs === null) return;
    oldest = Math.min(oldest, mtimeMs);
    if (now - mtimeMs > warnAfterDays * DAY_MS) old++;
  });
  const oldestAgeDays = Number.isFinite(oldest) ? round2((now - oldest) / DAY_MS) : null;
  return {
    oldestAgeDays,
    purge: old > 0 && oldestAgeDays !== null ? { purgeDays, warnAfterDays, count: old, oldestAgeDays } : null,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
