import t from 'tap';
import { FixedRate } from '../../../agent/fs/fixed-rate.js';
import { FakeClock } from '../../helpers/fake-clock.js';

t.test(
  'runs at once, then at a fixed rate; a slow run does not push the next back; stop ends it',
  async (t) => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const starts: number[] = [];
    const errors: unknown[] = [];
    const loop = new FixedRate(
      clock,
      10_000,
      async () => {
        starts.push(clock.now() - t0);
        // The second run takes 4 s of clock time, and the third fails.
        if (starts.length === 2) await clock.sleep(4_000);
        if (starts.length === 3) throw new Error('boom');
      },
      (err) => errors.push(err),
    );
    t.equal(loop.active, false);
    loop.start();
    loop.start();
    t.equal(loop.active, true);
    await clock.advance(35_000);
    t.same(starts, [0, 10_000, 20_000, 30_000], 'a start every 10 s, whatever a run took');
    t.equal(errors.length, 1, 'a failing run is reported and the schedule goes on');
    await loop.stop();
    t.equal(loop.active, false);
    await clock.advance(60_000);
    t.equal(starts.length, 4, 'nothing runs after stop');
  },
);
