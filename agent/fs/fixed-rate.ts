// Runs a task periodically on the injected clock, at a fixed rate: a run that took long does not push the
// next one back (a new shard or log line is noticed within one period), and runs never overlap.
import type { Clock, Timer } from '../clock.js';

export class FixedRate {
  private timer: Timer | null = null;
  private inFlight: Promise<void> | null = null;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly run: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Between start() and stop(). */
  get active(): boolean {
    return this.running;
  }

  /** The first run is at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(0);
  }

  /** Cancels the next run and waits for the one in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    await this.inFlight;
  }

  private arm(ms: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimer(ms, () => {
      const started = this.clock.now();
      this.inFlight = this.run()
        .catch(this.onError)
        .finally(() => {
          this.inFlight = null;
          this.arm(Math.max(0, this.periodMs - (this.clock.now() - started)));
        });
    });
  }
}
