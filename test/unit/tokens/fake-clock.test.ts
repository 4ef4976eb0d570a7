// The shared FakeClock helper: timers fire in due order as time is advanced, never before.
import t from 'tap';
import { FakeClock } from '../../helpers/fake-clock.js';

t.test('timers fire in order with now() at their due time; cancel works', async (t) => {
  const c = new FakeClock(1000);
  const fired: [string, number][] = [];
  c.setTimer(50, () => fired.push(['b', c.now()]));
  c.setTimer(10, () => fired.push(['a', c.now()]));
  const x = c.setTimer(20, () => fired.push(['x', c.now()]));
  c.setTimer(50, () => fired.push(['c', c.now()]));
  x.cancel();
  await c.advance(49);
  t.same(fired, [['a', 1010]]);
  t.equal(c.now(), 1049);
  await c.advance(1);
  t.same(fired, [
    ['a', 1010],
    ['b', 1050],
    ['c', 1050],
  ]);
  t.equal(c.pending(), 0);
});

t.test('sleep resolves when time passes; timers set by timers fire within the same advance', async (t) => {
  const c = new FakeClock('2026-01-01T00:00:00Z');
  const log: number[] = [];
  void (async () => {
    for (let i = 0; i < 3; i++) {
      await c.sleep(100);
      log.push(c.now() - Date.UTC(2026, 0, 1));
    }
  })();
  await c.advance(250);
  t.same(log, [100, 200]);
  t.equal(c.nextDue(), Date.UTC(2026, 0, 1) + 300);
  t.ok(await c.runNext());
  t.same(log, [100, 200, 300]);
  t.notOk(await c.runNext());
  await t.rejects(c.advanceTo(0), /cannot go back/);
});
