// One target's queue: messages go out one at a time, each retried with back-off; a target that is down only
// fills its own bounded queue (the oldest dropped and counted, the count told in the next message that gets
// through), so neither the agent nor the other targets ever wait for it.
import type { Clock, Timer } from '../clock.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { backoffDelayMs } from '../tokens/backoff.js';
import type { BackoffPolicy } from '../tokens/types.js';
import type { NotifyMessage, Target } from './types.js';

export interface OutboxOptions {
  target: Target;
  clock: Clock;
  logger: Logger;
  queueSize: number;
  /** Tries per message (1 = no retry). */
  tries: number;
  backoff: Omit<BackoffPolicy, 'maxAttempts'>;
  random: () => number;
}

export interface OutboxStatus {
  target: string;
  queued: number;
  sent: number;
  failed: number;
  dropped: number;
  lastError: string | null;
}

export class Outbox {
  private readonly queue: NotifyMessage[] = [];
  private sent = 0;
  private failed = 0;
  private dropped = 0;
  /** Dropped since the last message that got through: told in the next one. */
  private unreported = 0;
  private lastError: string | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Stopping, with a grace to send what is queued: one try per message, no back-off. */
  private closing = false;
  private wait: { timer: Timer; wake: () => void } | null = null;
  /** Aborts a delivery under way when the agent stops: a hanging webhook must not hold the stop up. */
  private readonly abort = new AbortController();

  constructor(private readonly o: OutboxOptions) {}

  push(m: NotifyMessage): void {
    if (this.stopped) return;
    if (this.queue.length >= this.o.queueSize) {
      this.queue.shift();
      this.dropped++;
      this.unreported++;
    }
    this.queue.push(m);
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  status(): OutboxStatus {
    return {
      target: this.o.target.name,
      queued: this.queue.length,
      sent: this.sent,
      failed: this.failed,
      dropped: this.dropped,
      lastError: this.lastError,
    };
  }

  /**
   * Stops retrying; what is still queued is dropped (and logged with its count). With graceMs, what is
   * queued first gets one try each (a back-off under way ends at once) for at most graceMs of wall time.
   */
  async stop(graceMs = 0): Promise<void> {
    if (graceMs > 0 && this.running) {
      this.closing = true;
      this.wait?.timer.cancel();
      this.wait?.wake();
      await within(this.running, graceMs);
    }
    this.stopped = true;
    this.abort.abort();
    this.wait?.timer.cancel();
    this.wait?.wake();
    await this.running;
    if (this.queue.length) {
      this.o.logger.warn(
        { target: this.o.target.name, dropped: this.queue.length },
        'notifications not delivered before the agent stopped',
      );
      this.queue.length = 0;
    }
  }

  private async drain(): Promise<void> {
    for (let m = this.queue.shift(); m !== undefined && !this.stopped; m = this.queue.shift()) {
      await this.deliver(m);
    }
  }

  private async deliver(m: NotifyMessage): Promise<void> {
    const { target, logger } = this.o;
    for (let attempt = 1; ; attempt++) {
      // Drops during this send are told by the next message, not forgotten.
      const told = this.unreported;
      const note = told ? `(${told} earlier notification(s) were dropped: the queue was full)` : null;
      const failure = await target.send(m, note, this.abort.signal);
      if (failure === null) {
        this.sent++;
        this.unreported -= told;
        return;
      }
      this.lastError = describeError(failure.error);
      const last = failure.permanent || attempt >= this.o.tries || this.stopped || this.closing;
      logger.warn(
        { target: target.name, kind: m.kind, attempt, err: failure.error, giveUp: last },
        last ? 'notification not delivered; given up' : 'notification not delivered; will retry',
      );
      if (last) {
        this.failed++;
        return;
      }
      const policy = { ...this.o.backoff, maxAttempts: this.o.tries };
      const delay = Math.max(backoffDelayMs(attempt, policy, this.o.random), failure.retryAfterMs ?? 0);
      await this.sleep(Math.min(delay, this.o.backoff.capMs));
      if (this.stopped) {
        this.failed++;
        return;
      }
    }
  }

  /** The clock's sleep, cut short by stop(). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.wait = null;
        resolve();
      };
      this.wait = { timer: this.o.clock.setTimer(ms, wake), wake };
    });
  }
}

/**
 * Waits for p, at most ms. Wall time, not the injected clock: it bounds the agent's stop, which systemd
 * times on the real clock (TimeoutStopSec), and a test's fake clock would never end it.
 */
function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
