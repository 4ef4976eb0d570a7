import t from 'tap';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { ShardStatusListSchema } from '../../../agent/api/shards.js';
import { silentLogger } from '../../../agent/log.js';
import { ShardStore } from '../../../agent/shards/store.js';
import { ShardWatch, type ShardWatchOptions } from '../../../agent/shards/shard-watch.js';
import { etaSeconds, ratePerHour } from '../../../agent/shards/status.js';
import type { Timer } from '../../../agent/clock.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const MIN = 60_000;
const DAY = 86_400_000;
const migration = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../migrations/0002-shard-samples.sql',
);

/** A fake clock that says when a timer is set: the watch arms its next cycle as the current one ends. */
class CycleClock extends FakeClock {
  private waiting: (() => void)[] = [];
  override setTimer(ms: number, fn: () => void): Timer {
    const timer = super.setTimer(ms, fn);
    for (const wake of this.waiting.splice(0)) wake();
    return timer;
  }
  /** Fires each timer due by `target` (epoch ms) and waits for its cycle to end; then sets the clock there. */
  async driveTo(target: number): Promise<void> {
    for (let due = this.nextDue(); due !== null && due <= target; due = this.nextDue()) {
      const armed = new Promise<void>((resolve) => this.waiting.push(resolve));
      await this.runNext();
      await armed;
    }
    await this.advanceTo(target);
  }
  /** Runs the cycles of the next `ms`. */
  drive(ms: number): Promise<void> {
    return this.driveTo(this.now() + ms);
  }
  /** Runs the next cycle, wherever it falls. */
  nextCycle(): Promise<void> {
    return this.driveTo(this.nextDue() ?? this.now());
  }
}

type Teardown = { teardown: (fn: () => unknown) => void };

function setup(t: Teardown, opts: Partial<ShardWatchOptions> & Pick<ShardWatchOptions, 'dirs'>) {
  const db = new BetterSqlite3(':memory:');
  db.exec(readFileSync(migration, 'utf8'));
  t.teardown(() => db.close());
  const store = new ShardStore(db);
  // The injected clock starts at the real time so file mtimes and the clock agree.
  const clock = new CycleClock(Date.now());
  const sw = new ShardWatch({
    clock,
    logger: silentLogger(),
    store,
    pollSeconds: 30,
    rateWindowMinutes: 60,
    purgeDays: 21,
    ...opts,
  });
  return { sw, clock, store, db };
}

/** Starts the watch and runs its first cycle (at once, as in the agent). */
async function started(t: Teardown, sw: ShardWatch, clock: CycleClock) {
  await sw.start();
  t.teardown(() => sw.stop());
  await clock.nextCycle();
  return sw.status();
}

/** Status entries in order of folder name (the watch sorts by full path). */
function byName<T extends { dir: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => path.basename(a.dir).localeCompare(path.basename(b.dir)));
}

function addShards(dir: string, names: string[], bytes = 100): void {
  for (const n of names) writeFileSync(path.join(dir, n), Buffer.alloc(bytes));
  // Move the folder's mtime on, whatever the filesystem's timestamp resolution.
  const later = new Date(Date.now() + 1000 + Math.random() * 1000);
  utimesSync(dir, later, later);
}

t.test('count, bytes, rate over the window, ETA and per-task counts with an injected clock', async (t) => {
  const root = t.testdir({ aef: {} });
  const dir = path.join(root, 'aef');
  // One cycle every quarter of an hour: each scan below is one cycle of the watch's own loop.
  const { sw, clock } = setup(t, {
    dirs: [{ path: dir, pattern: '*.tar', target: 100 }],
    pollSeconds: 15 * 60,
  });
  let [st] = await started(t, sw, clock);
  t.equal(st?.count, 0);
  t.equal(st?.ratePerHour, null, 'no history yet');
  t.equal(st?.etaSeconds, null);

  // 10 shards every 15 minutes for an hour: 40 per hour.
  for (let q = 0; q < 4; q++) {
    addShards(
      dir,
      Array.from({ length: 10 }, (_, i) => `shard-${i % 2}-${String(q * 10 + i).padStart(6, '0')}.tar`),
    );
    await clock.drive(15 * MIN);
    [st] = sw.status();
  }
  t.equal(st?.count, 40);
  t.equal(st?.bytes, 4000);
  t.equal(st?.ratePerHour, 40);
  t.equal(st?.etaSeconds, 90 * 60, '60 more at 40 per hour');
  t.same(st?.perTask, [
    { index: 0, count: 20, bytes: 2000 },
    { index: 1, count: 20, bytes: 2000 },
  ]);
  t.equal(st?.missing, false);
  t.ok(st?.lastScanAt && st.lastChangeAt);

  // An idle hour later the rate over the last hour is 0 and there is no ETA.
  await clock.drive(60 * MIN);
  [st] = sw.status();
  t.equal(st?.ratePerHour, 0);
  t.equal(st?.etaSeconds, null);
  t.doesNotThrow(() => ShardStatusListSchema.parse(sw.status()), 'status matches the API schema');
});

t.test('samples are stored on change and as a heartbeat, not every cycle', async (t) => {
  const root = t.testdir({ aef: { 'a.tar': 'x' } });
  const dir = path.join(root, 'aef');
  const { sw, clock, store } = setup(t, { dirs: [{ path: dir, pattern: '*.tar' }], sampleEveryMinutes: 10 });
  await started(t, sw, clock);
  await clock.drive(5 * MIN);
  t.equal(store.series(dir, 0).length, 1, 'ten idle cycles in five minutes: no new sample');
  await clock.drive(6 * MIN);
  t.equal(store.series(dir, 0).length, 2, 'the heartbeat');
  addShards(dir, ['b.tar']);
  await clock.drive(30_000);
  t.same(store.latest(dir)?.count, 2);
});

t.test('a restarted watch computes its rate from stored samples', async (t) => {
  const root = t.testdir({ aef: {} });
  const dir = path.join(root, 'aef');
  const { sw, clock, store } = setup(t, {
    dirs: [{ path: dir, pattern: '*.tar', target: 20 }],
    pollSeconds: 30 * 60,
  });
  await started(t, sw, clock);
  addShards(dir, ['s-000001.tar', 's-000002.tar', 's-000003.tar', 's-000004.tar', 's-000005.tar']);
  await clock.drive(30 * MIN);
  await sw.stop();
  const again = new ShardWatch({
    clock,
    logger: silentLogger(),
    store,
    dirs: [{ path: dir, pattern: '*.tar', target: 20 }],
    pollSeconds: 30 * 60,
    rateWindowMinutes: 60,
    purgeDays: 21,
  });
  const [st] = await started(t, again, clock);
  t.equal(st?.ratePerHour, 10, '5 shards in 30 minutes');
  t.equal(st?.etaSeconds, 90 * 60);
});

t.test('purge warning for files nearing the purge age', async (t) => {
  const root = t.testdir({ aef: { 'old-1.tar': 'x', 'old-2.tar': 'x', 'new.tar': 'x' } });
  const dir = path.join(root, 'aef');
  const now = Date.now();
  utimesSync(path.join(dir, 'old-1.tar'), new Date(now - 19 * DAY), new Date(now - 19 * DAY));
  utimesSync(path.join(dir, 'old-2.tar'), new Date(now - 20 * DAY), new Date(now - 20 * DAY));
  const { sw, clock } = setup(t, { dirs: [{ path: dir, pattern: '*.tar' }], purgeDays: 21 });
  const [st] = await started(t, sw, clock);
  t.equal(st?.purge?.count, 2);
  t.equal(st?.purge?.warnAfterDays, 18);
  t.ok(Math.abs((st?.purge?.oldestAgeDays ?? 0) - 20) < 0.1);
  t.ok(Math.abs((st?.oldestAgeDays ?? 0) - 20) < 0.1);
  const lenient = setup(t, { dirs: [{ path: dir, pattern: '*.tar' }], purgeDays: 42 });
  t.equal((await started(t, lenient.sw, lenient.clock))[0]?.purge, null);
});

t.test('parent/* entries: sub-folders come and go; a missing folder is reported', async (t) => {
  const root = t.testdir({ shards: { aef: { 'shard-0-000001.tar': 'x' } } });
  const parent = path.join(root, 'shards');
  const { sw, clock } = setup(t, {
    dirs: [
      { path: `${parent}/*`, pattern: '*.tar' },
      { path: path.join(root, 'not-yet'), pattern: '*.tar' },
    ],
  });
  let list = byName(await started(t, sw, clock));
  t.same(
    list.map((s) => [path.basename(s.dir), s.count, s.missing, s.group]),
    [
      ['aef', 1, false, `${parent}/*`],
      ['not-yet', 0, true, null],
    ],
  );
  mkdirSync(path.join(parent, 'tessera'));
  addShards(path.join(parent, 'tessera'), ['w3-000001.tar', 'w3-000002.tar']);
  addShards(parent, []);
  await clock.nextCycle();
  list = byName(sw.status());
  t.same(
    list.map((s) => [path.basename(s.dir), s.count]),
    [
      ['aef', 1],
      ['not-yet', 0],
      ['tessera', 2],
    ],
  );
  t.same(list[2]?.perTask, [{ index: 3, count: 2, bytes: 200 }]);
  t.same(
    list.map((s) => s.lastChangeAt !== null),
    [true, false, true],
    'a change is dated for the folders that have shards',
  );
  rmSync(path.join(parent, 'aef'), { recursive: true });
  addShards(parent, []);
  await clock.nextCycle();
  list = byName(sw.status());
  t.same(
    list.map((s) => path.basename(s.dir)),
    ['not-yet', 'tessera'],
  );
  rmSync(parent, { recursive: true });
  await clock.nextCycle();
  list = byName(sw.status());
  t.same(
    list.map((s) => [path.basename(s.dir), s.missing]),
    [
      ['not-yet', true],
      ['shards', true],
    ],
    'a missing parent is one missing entry',
  );
});

t.test("shardsSince counts an index's shards modified since a moment (progress guard)", async (t) => {
  const root = t.testdir({ aef: {} });
  const dir = path.join(root, 'aef');
  const old = new Date(Date.now() - DAY);
  writeFileSync(path.join(dir, 'shard-4-000001.tar'), 'x');
  utimesSync(path.join(dir, 'shard-4-000001.tar'), old, old);
  writeFileSync(path.join(dir, 'shard-4-000002.tar'), 'x');
  writeFileSync(path.join(dir, 'shard-5-000001.tar'), 'x');
  const { sw, clock } = setup(t, { dirs: [{ path: dir, pattern: '*.tar' }] });
  await started(t, sw, clock);
  const attemptStart = Date.now() - 3_600_000;
  t.equal(sw.shardsSince(4, attemptStart), 1);
  t.equal(sw.shardsSince(4, 0), 2);
  t.equal(sw.shardsSince(6, 0), 0);
  t.equal(sw.shardsSince(5, 0, ['/elsewhere']), 0);
});

t.test('the timer drives scans with the injected clock and stops cleanly', async (t) => {
  const root = t.testdir({ aef: { 'a.tar': 'x' } });
  const dir = path.join(root, 'aef');
  const { sw, clock } = setup(t, { dirs: [{ path: dir, pattern: '*.tar' }] });
  await started(t, sw, clock);
  t.equal(clock.pending(), 1, 'the next cycle is armed');
  await sw.stop();
  await clock.advance(60_000);
  t.equal(clock.pending(), 0);
  t.equal(sw.status()[0]?.count, 1);
});

t.test('rate and ETA arithmetic', async (t) => {
  t.equal(ratePerHour({ at: 3_600_000, count: 10 }, { at: 0, count: 0 }), 10);
  t.equal(ratePerHour({ at: 30_000, count: 10 }, { at: 0, count: 0 }), null, 'under a minute is noise');
  t.equal(ratePerHour({ at: 3_600_000, count: 10 }, null), null);
  t.equal(etaSeconds(10, 10, null), 0);
  t.equal(etaSeconds(5, 10, 0), null);
  t.equal(etaSeconds(5, 10, -3), null, 'shards deleted: no ETA');
  t.equal(etaSeconds(5, null, 10), null);
  t.equal(etaSeconds(5, 10, 10), 1800);
});

t.test('parent/*/** and dir/** entries count the shards of nested folders toward their entry', async (t) => {
  const root = t.testdir({
    shards: {
      aef: { 'shard-0-000001.tar': 'a' },
      tessera: {
        train: { 'shard-0-000002.tar': 'bb' },
        'worker-07': { 'shard-1-000003.tar': 'ccc', deeper: { 'shard-1-000004.tar': 'dddd' } },
      },
    },
  });
  const shards = path.join(root, 'shards');
  const { sw, clock } = setup(t, { dirs: [{ path: `${shards}/*/**`, pattern: '*.tar' }] });
  const list = byName(await started(t, sw, clock));
  t.same(
    list.map((s) => [path.basename(s.dir), s.count, s.bytes, s.group]),
    [
      ['aef', 1, 1, `${shards}/*/**`],
      ['tessera', 3, 9, `${shards}/*/**`],
    ],
  );
  t.same(list[1]?.perTask, [
    { index: 0, count: 1, bytes: 2 },
    { index: 1, count: 2, bytes: 7 },
  ]);
  t.equal(sw.shardsSince(1, 0), 2, 'the progress guard sees nested shards too');
  t.equal(sw.folderCount(), 6, 'statted per cycle: shards, aef, tessera, train, worker-07, deeper');

  const one = setup(t, { dirs: [{ path: `${shards}/tessera/**`, pattern: '*.tar' }] });
  const [st] = await started(t, one.sw, one.clock);
  t.same([st?.dir, st?.count, st?.group], [`${shards}/tessera`, 3, null], 'dir/** is one entry');
});
