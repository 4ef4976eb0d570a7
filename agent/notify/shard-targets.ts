// Shard folders reaching their target: the watch's status (counts it already holds; no filesystem access)
// is read every watch interval, and only when some folder has a target at all.
import type { Clock, Timer } from '../clock.js';
import { loggable } from '../errors.js';
import type { Logger } from '../log.js';
import type { ShardProgress } from './from-events.js';

export interface ShardTargetsOptions {
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Folders with their counts; lastScanAt null while a folder has not been scanned yet. */
  status: () => readonly (ShardProgress & { lastScanAt: string | null })[];
  onProgress: (s: ShardProgress) => void;
}

export class ShardTargets {
  private timer: Timer | null = null;
  private running = false;

  constructor(private readonly o: ShardTargetsOptions) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
  }

  /** One look at every folder (the timer's work). */
  check(): void {
    try {
      for (const s of this.o.status()) {
        // Counted once at least: before that, 0 would be taken as the folder's baseline.
        if (s.lastScanAt !== null) this.o.onProgress({ dir: s.dir, count: s.count, target: s.target });
      }
    } catch (err) {
      this.o.logger.warn({ err: loggable(err) }, 'cannot read shard progress for notifications');
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.o.clock.setTimer(this.o.intervalMs, () => {
      this.check();
      this.schedule();
    });
  }
}
