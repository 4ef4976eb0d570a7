// metrics.textfile: the agent's series written as a node-exporter textfile (its textfile collector reads
// every *.prom file of one folder at each scrape), for sites where nobody may scrape a login node's port.
// Each write is atomic (temp file beside it, rename), so the collector never reads half a file; a failed
// write is logged and tried again at the next interval.
import type { Clock, Timer } from '../clock.js';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { loggable } from '../errors.js';

export interface TextfileOptions {
  file: string;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  render: () => Promise<string>;
}

export class MetricsTextfile {
  private timer: Timer | null = null;
  private writing: Promise<void> | null = null;
  private running = false;

  constructor(private readonly o: TextfileOptions) {}

  /** Writes at once, then every interval until stop(). */
  async start(): Promise<void> {
    this.running = true;
    await this.tick();
  }

  /** Stops the schedule; the file stays, with the last figures (node_exporter reports its mtime). */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    await this.writing;
  }

  /** One write now (also used by the schedule). */
  writeNow(): Promise<void> {
    this.writing ??= this.write().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async tick(): Promise<void> {
    await this.writeNow();
    if (this.running) this.timer = this.o.clock.setTimer(this.o.intervalMs, () => void this.tick());
  }

  private async write(): Promise<void> {
    try {
      // 0644: node_exporter usually runs as another user and must read it; it holds no secret.
      await writeFileAtomic(this.o.file, await this.o.render(), 0o644);
    } catch (err) {
      this.o.logger.warn({ err: loggable(err), file: this.o.file }, 'could not write the metrics textfile');
    }
  }
}
