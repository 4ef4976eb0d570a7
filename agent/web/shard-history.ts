// A folder's stored shard samples over a time range, thinned for a chart: the range is cut into equal
// buckets and each keeps its last sample (a count only grows between samples, so the bucket's end value is
// what a chart should draw). The first sample is always kept, so the line starts where the data does.
import type { ShardHistoryReply } from '../api/web.js';
import type { ShardSample } from '../shards/store.js';

/** Samples read per request at most: 14 days at one per poll (60 s) is about 20,000. */
export const HISTORY_READ_LIMIT = 100_000;

export interface ShardSampleSource {
  /** Samples of one folder from `since`, oldest first (ShardStore.series). */
  series(dir: string, since: number, limit?: number): ShardSample[];
}

export function thin(
  samples: readonly ShardSample[],
  from: number,
  to: number,
  points: number,
): ShardSample[] {
  if (samples.length <= points) return [...samples];
  const span = Math.max(1, to - from);
  const buckets = points - 1; // one point is the first sample
  const out: ShardSample[] = [samples[0] as ShardSample];
  let bucket = -1;
  let last: ShardSample | undefined;
  for (let i = 1; i < samples.length; i++) {
    const s = samples[i] as ShardSample;
    const b = Math.min(buckets - 1, Math.floor(((s.at - from) / span) * buckets));
    if (b !== bucket && last) out.push(last);
    bucket = b;
    last = s;
  }
  if (last) out.push(last);
  return out;
}

export function shardHistory(
  source: ShardSampleSource,
  q: { dir: string; from: number; to: number; points: number },
): ShardHistoryReply {
  const inRange = source.series(q.dir, q.from, HISTORY_READ_LIMIT).filter((s) => s.at <= q.to);
  return {
    dir: q.dir,
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    samples: inRange.length,
    points: thin(inRange, q.from, q.to, q.points).map((s) => ({
      at: new Date(s.at).toISOString(),
      count: s.count,
      bytes: s.bytes,
    })),
  };
}
