// The state of one followed log file: its tailer, how it is watched, and the one-read-at-a-time queue.
import type { Timer } from '../clock.js';
import type { WatchMode } from '../fs/fs-kind.js';
import type { LogSummary } from './summary.js';
import { LogTailer, type TailerOptions } from './tailer.js';

export class WatchedFile {
  readonly path: string;
  readonly tailer: LogTailer;
  /** null until the file's filesystem has been looked at. */
  mode: WatchMode | null = null;
  missing = false;
  lastReadAt = 0;
  /** A read scheduled by a change event (events coalesce into it). */
  eventTimer: Timer | null = null;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;

  constructor(path: string, opts: TailerOptions) {
    this.path = path;
    this.tailer = new LogTailer(path, opts);
  }

  /**
   * Runs `read` after any read in progress, so the tailer is never read twice at once. With `join`, a
   * request made while another read waits to start shares that read instead of queueing one more.
   * `read` must not reject.
   */
  serialise(read: () => Promise<void>, join: boolean): Promise<void> {
    if (join && this.queued) return this.queued;
    const run: Promise<void> = this.chain.then(() => {
      if (this.queued === run) this.queued = null;
      return read();
    });
    if (join) this.queued = run;
    this.chain = run;
    return run;
  }

  /** Resolves when no read is running or queued. */
  idle(): Promise<void> {
    return this.chain;
  }

  cancelEvent(): void {
    this.eventTimer?.cancel();
    this.eventTimer = null;
  }
}

/** One tracked key (a task attempt): its files and what their lines said. */
export interface TrackedKey {
  key: string;
  files: WatchedFile[];
  summary: LogSummary;
  tracking: boolean;
  lastGrowthAt: number | null;
}
