// Shard targets are read from the watch's status every interval, and a folder not scanned yet is no baseline.
import t from 'tap';
import { silentLogger } from '../../../agent/log.js';
import type { ShardProgress } from '../../../agent/notify/from-events.js';
import { ShardTargets } from '../../../agent/notify/shard-targets.js';
import { FakeClock } from '../../helpers/fake-clock.js';

t.test('each interval, scanned folders only; stop ends it', async (t) => {
  const clock = new FakeClock();
  const seen: ShardProgress[] = [];
  let scanned: string | null = null;
  const targets = new ShardTargets({
    clock,
    logger: silentLogger(),
    intervalMs: 30_000,
    status: () => [
      { dir: '/a', count: 0, target: 5, lastScanAt: scanned },
      { dir: '/b', count: 7, target: null, lastScanAt: scanned },
    ],
    onProgress: (s) => seen.push(s),
  });
  targets.start();
  await clock.advance(30_000);
  t.same(seen, [], 'nothing before the first scan');
  scanned = new Date(clock.now()).toISOString();
  await clock.advance(30_000);
  t.same(seen, [
    { dir: '/a', count: 0, target: 5 },
    { dir: '/b', count: 7, target: null },
  ]);
  targets.stop();
  t.equal(clock.pending(), 0);
});

t.test('a status that throws is logged, and the next interval tries again', async (t) => {
  const clock = new FakeClock();
  let calls = 0;
  const targets = new ShardTargets({
    clock,
    logger: silentLogger(),
    intervalMs: 1_000,
    status: () => {
      calls++;
      throw new Error('database is locked');
    },
    onProgress: () => t.fail('no progress'),
  });
  targets.start();
  await clock.advance(3_000);
  t.equal(calls, 3);
  targets.stop();
});
