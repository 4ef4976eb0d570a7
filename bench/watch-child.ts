// One side of bench/watch-footprint.ts, run in its own process so strace and /proc see only it.
//   watch-child chokidar|agent ROOT INTERVAL_MS [MIGRATION] [ENTRY]   (ENTRY: the shardDirs form under ROOT, '*')
// Prints JSON lines on stdout; reads commands on stdin: "watch PATH" (report when PATH is noticed), "report".
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import BetterSqlite3 from 'better-sqlite3';
import { watch } from 'chokidar';
import { systemClock, type Clock } from '../agent/clock.js';
import { silentLogger } from '../agent/log.js';
import { ShardStore } from '../agent/shards/store.js';
import { ShardWatch } from '../agent/shards/shard-watch.js';

type Msg = Record<string, unknown>;
const say = (m: Msg) => process.stdout.write(`${JSON.stringify(m)}\n`);

async function main(): Promise<void> {
  const [side, root, intervalText, migrationFile, entry = '*'] = process.argv.slice(2);
  if (!side || !root || !intervalText)
    throw new Error('usage: watch-child chokidar|agent ROOT INTERVAL_MS [MIGRATION]');
  const interval = Number(intervalText);
  let target: string | null = null;
  let noticed: (file: string) => void = () => {};
  let cycles = 0;
  const t0 = Date.now();

  if (side === 'chokidar') {
    const w = watch(root, { usePolling: true, interval, binaryInterval: interval, ignoreInitial: true });
    w.on('add', (p) => noticed(path.resolve(p)));
    w.on('ready', () => say({ event: 'ready', readyMs: Date.now() - t0, completeMs: Date.now() - t0 }));
  } else {
    const db = new BetterSqlite3(':memory:');
    db.exec(readFileSync(migrationFile ?? '', 'utf8'));
    const counts = new Map<string, number>();
    // After a cycle: a folder whose count grew may hold the awaited shard (what the API would show).
    const afterCycle = () => {
      for (const s of sw.status()) {
        const before = counts.get(s.dir) ?? 0;
        counts.set(s.dir, s.count);
        if (target && s.count > before && target.startsWith(`${s.dir}/`)) noticed(target);
      }
    };
    // Counting timers counts cycles: the watch schedules exactly one per cycle, as the previous one ends.
    const clock: Clock = {
      ...systemClock,
      setTimer: (ms, fn) => {
        if (cycles++ > 0) afterCycle();
        return systemClock.setTimer(ms, fn);
      },
    };
    let readyAt: number | null = null;
    const sw: ShardWatch = new ShardWatch({
      clock,
      logger: silentLogger(),
      store: new ShardStore(db),
      dirs: [{ path: `${root}/${entry}`, pattern: '*.tar' }],
      pollSeconds: interval / 1000,
      rateWindowMinutes: 60,
      purgeDays: 21,
    });
    await sw.start();
    // Ready when the first cycle is over (every folder listed, every shard counted: the second timer is
    // set); complete when every shard has been statted too (bytes known).
    const poll = setInterval(() => {
      if (readyAt === null && cycles >= 2) readyAt = Date.now() - t0;
      if (readyAt !== null && sw.pendingStats() === 0) {
        clearInterval(poll);
        say({ event: 'ready', readyMs: readyAt, completeMs: Date.now() - t0 });
      }
    }, 200);
  }

  noticed = (file) => {
    if (file !== target) return;
    target = null;
    say({ event: 'noticed', at: Date.now() });
  };
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'watch' && arg) {
      target = path.resolve(arg);
      say({ event: 'armed' });
    } else if (cmd === 'report') {
      say({ event: 'report', rss: process.memoryUsage().rss, cycles });
    }
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
