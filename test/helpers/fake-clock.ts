// A Clock whose time moves only when a test says so. Timers fire in due order as time is advanced past
// them; between firings pending promise callbacks and immediates run, so code awaiting sleep() proceeds.
import type { Clock, Timer } from '../../agent/clock.js';

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Lets already-resolved promise chains and queued immediates run (no real time passes). */
export async function flushMicrotasks(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Pending[] = [];

  /** Starts at `start` (epoch ms); default 2026-01-01T00:00:00Z. */
  constructor(start: number | string | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : new Date(start).getTime();
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const t: Pending = { due: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
        this.timers = this.timers.filter((x) => x !== t);
      },
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Timers not yet fired or cancelled. */
  pending(): number {
    return this.timers.length;
  }

  /** Due time of the next timer, or null. */
  nextDue(): number | null {
    return this.next()?.due ?? null;
  }

  /**
   * Moves time forward by ms, firing every timer that falls due on the way (including timers set by the
   * ones fired) in due order, with now() equal to each timer's due time while it runs.
   */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  /** Like advance(), to an absolute time; a time in the past is refused. */
  async advanceTo(target: number): Promise<void> {
    if (target < this.current) throw new Error(`FakeClock cannot go back from ${this.current} to ${target}`);
    await flushMicrotasks();
    for (let t = this.next(); t !== undefined && t.due <= target; t = this.next()) {
      this.timers = this.timers.filter((x) => x !== t);
      this.current = Math.max(this.current, t.due);
      t.fn();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /** Advances to the next timer and fires it (and any due at the same time); returns false if none. */
  async runNext(): Promise<boolean> {
    const t = this.next();
    if (t === undefined) return false;
    await this.advanceTo(t.due);
    return true;
  }

  private next(): Pending | undefined {
    let best: Pending | undefined;
    for (const t of this.timers) {
      if (
        !t.cancelled &&
        (best === undefined || t.due < best.due || (t.due === best.due && t.seq < best.seq))
      )
        best = t;
    }
    return best;
  }
}
