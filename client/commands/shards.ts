// emb-client shards [--watch [--interval S]]: the shard table, or the table redrawn in place every S seconds
// with each folder's trend over the last hours (GET /shards/history) until Ctrl-C.
import type { ShardStatus } from '../../agent/api/shards.js';
import type { ShardHistoryReply } from '../../agent/api/web.js';
import { intOption } from '../args.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';
import statusList, { renderShards } from './status-lists.js';

const BARS = '▁▂▃▄▅▆▇█';
const TREND_HOURS = 6;
const TREND_POINTS = 40;
/** A folder cut shorter than this no longer says which one it is. */
const MIN_DIR = 12;

/** A sparkline of the counts, lowest to highest of the series. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const span = Math.max(...values) - lo;
  return values.map((v) => BARS[span === 0 ? 0 : Math.round(((v - lo) / span) * (BARS.length - 1))]).join('');
}

/** The end of a folder, the part that names it, in at most `room` characters. */
function folderEnd(dir: string, room: number): string {
  return dir.length <= room ? dir : `…${dir.slice(dir.length - room + 1)}`;
}

/**
 * One folder's trend line, fitted to the terminal like the table above it: the folder is cut first
 * (keeping its end), then, narrower still, the oldest points and the caption go. No width: no limit.
 */
export function trendLine(dir: string, counts: readonly number[], width?: number): string {
  const spark = sparkline(counts);
  const caption = ` (last ${TREND_HOURS} h)`;
  const whole = `${dir}: ${spark}${caption}`;
  if (width === undefined || whole.length <= width) return whole;
  const room = width - spark.length - caption.length - 2;
  if (room >= MIN_DIR) return `${folderEnd(dir, room)}: ${spark}${caption}`;
  const name = folderEnd(dir, MIN_DIR);
  // Scaled on the whole series first, so a cut line keeps the heights the full one shows.
  return `${name}: ${spark.slice(-Math.max(1, width - name.length - 2))}`;
}

/** One round of --watch: the table and each folder's trend (counts oldest first), fitted to the width. */
export function renderWatch(
  list: readonly ShardStatus[],
  counts: ReadonlyMap<string, readonly number[]>,
  width: number | undefined,
): string {
  const trends = list.flatMap((s) => {
    const c = counts.get(s.dir);
    return c !== undefined && c.length > 1 ? [trendLine(s.dir, c, width)] : [];
  });
  return renderShards(list, width) + (trends.length ? `\n${trends.join('\n')}\n` : '');
}

/** Resolves after ms, or as soon as `stopped` does; the timer never keeps the process alive after Ctrl-C. */
function wait(ms: number, stopped: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const tick = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([tick, stopped]).finally(() => clearTimeout(timer));
}

export default async function shards(ctx: Context): Promise<number> {
  const { options, global } = ctx.parsed;
  if (!options.has('watch')) return statusList(ctx);
  const intervalMs = (intOption(options, 'interval') ?? 5) * 1000;
  const api = await ctx.api();
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Redrawn in place on a terminal; on a pipe (no width) each round is printed after the last.
  const tty = ctx.width !== undefined;
  let first = true;
  try {
    while (!interrupted) {
      const list = await api.get<ShardStatus[]>('/shards');
      if (global.json) ctx.out(`${JSON.stringify(list)}\n`);
      else {
        const counts = new Map<string, number[]>();
        const now = Date.now();
        for (const s of list) {
          const q = new URLSearchParams({
            dir: s.dir,
            from: String(now - TREND_HOURS * 3_600_000),
            to: String(now),
            points: String(TREND_POINTS),
          });
          const h = await api.get<ShardHistoryReply>(`/shards/history?${q.toString()}`);
          counts.set(
            s.dir,
            h.points.map((p) => p.count),
          );
        }
        const text =
          renderWatch(list, counts, ctx.width) +
          `\nevery ${intervalMs / 1000} s, ${new Date().toLocaleTimeString()}; Ctrl-C ends\n`;
        ctx.out(
          tty ? `${first ? '\x1b[2J' : ''}\x1b[H${text.replace(/\n/g, '\x1b[K\n')}\x1b[J` : `${text}\n`,
        );
        first = false;
      }
      await wait(intervalMs, stopped);
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  return EXIT.ok;
}
