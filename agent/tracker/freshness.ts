// What a client reads should be fresh: when it asks for submissions and the tracker's last look at the
// scheduler is older than maxAgeMs while jobs are live, one cycle is run first (the usual one squeue and
// one sacct for every job), and the answer waits for it at most waitMs. Requests share that cycle, and a
// new one is asked for at most once per minGapMs, so no request pattern turns into a query per request.
import type { Clock } from '../clock.js';
import type { TrackerStatus } from './tracker.js';

export interface FreshnessDeps {
  clock: Clock;
  tracker: { status(): TrackerStatus; refresh(): Promise<void> };
  /** A last cycle older than this is refreshed before answering. Default 10 s. */
  maxAgeMs?: number;
  /** At most one refresh per this long, whatever the requests. Default 10 s. */
  minGapMs?: number;
  /** The longest a request waits for the refresh; then it gets what is known. Default 5 s. */
  waitMs?: number;
}

export class Freshness {
  private readonly d: Required<FreshnessDeps>;
  private asked: { at: number; done: Promise<void> } | null = null;

  constructor(deps: FreshnessDeps) {
    this.d = { maxAgeMs: 10_000, minGapMs: 10_000, waitMs: 5_000, ...deps };
  }

  /** Resolves when the tracker's state is fresh enough to answer from (or after waitMs). */
  async ensure(): Promise<void> {
    const { clock, tracker } = this.d;
    const st = tracker.status();
    if (st.liveJobs === 0) return; // nothing live: nothing to ask the scheduler
    const now = clock.now();
    if (st.lastPollAt !== null && now - st.lastPollAt < this.d.maxAgeMs) return;
    if (!this.asked || now - this.asked.at >= this.d.minGapMs) {
      this.asked = { at: now, done: tracker.refresh() };
    }
    let timer: { cancel(): void } | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = clock.setTimer(this.d.waitMs, resolve);
    });
    await Promise.race([this.asked.done, timeout]);
    timer?.cancel();
  }
}
