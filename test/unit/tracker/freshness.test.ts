// A client's read refreshes stale state with one tracker cycle, shared by concurrent requests, at most one
// per gap, and never while nothing is live.
import t from 'tap';
import { Freshness } from '../../../agent/tracker/freshness.js';
import type { TrackerStatus } from '../../../agent/tracker/tracker.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function fakeTracker(clock: FakeClock) {
  const st: TrackerStatus = { lastPollAt: null, lastError: null, liveJobs: 0, cycles: 0, lastCycleAt: null };
  let finish: (() => void) | null = null;
  return {
    st,
    refreshes: 0,
    status: () => ({ ...st }),
    refresh(): Promise<void> {
      this.refreshes++;
      return new Promise<void>((resolve) => {
        finish = () => {
          st.lastPollAt = clock.now();
          resolve();
        };
      });
    },
    finish: () => finish?.(),
  };
}

t.test('stale state is refreshed once for many requests, then not again within the gap', async (t) => {
  const clock = new FakeClock(1_000_000);
  const tracker = fakeTracker(clock);
  const fresh = new Freshness({ clock, tracker, maxAgeMs: 10_000, minGapMs: 10_000, waitMs: 5_000 });
  await fresh.ensure();
  t.equal(tracker.refreshes, 0, 'nothing live: no refresh');
  tracker.st.liveJobs = 1;
  const requests = [fresh.ensure(), fresh.ensure(), fresh.ensure()];
  t.equal(tracker.refreshes, 1, 'three requests share one cycle');
  tracker.finish();
  await Promise.all(requests);
  await clock.advance(5_000);
  await fresh.ensure();
  t.equal(tracker.refreshes, 1, 'fresh (5 s old): no refresh');
  await clock.advance(6_000);
  const late = fresh.ensure();
  t.equal(tracker.refreshes, 2, 'older than 10 s: one more');
  await clock.advance(5_000);
  await late;
  t.pass('a cycle that does not finish keeps a request waiting at most waitMs');
  const waiting = fresh.ensure();
  t.equal(tracker.refreshes, 2, 'within the gap no new cycle is asked for: the one in flight is awaited');
  await clock.advance(5_000);
  await waiting;
  void fresh.ensure();
  t.equal(tracker.refreshes, 3, 'after the gap, one more');
  tracker.finish();
});
