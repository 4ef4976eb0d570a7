// Time is injected so schedules, backoffs and leases are tested without sleeping.
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs fn once after ms; the returned handle cancels it. */
  setTimer(ms: number, fn: () => void): Timer;
  /** Resolves after ms (rejects never); used by retry loops. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, ms);
    // A pending schedule must not keep a stopping process alive.
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};
