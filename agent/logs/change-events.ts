// Change events for exact log files on filesystems where the kernel sees every write (chokidar on top of
// inotify). Never a tree and never chokidar's polling: on Lustre the agent polls the files itself.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { loggable } from '../errors.js';
import type { Logger } from '../log.js';

export class FileEvents {
  private watcher: FSWatcher | null = null;
  private readonly files = new Set<string>();

  constructor(
    private readonly onChange: (file: string) => void,
    private readonly logger: Logger,
  ) {}

  /** Starts watching `file` (which may not exist yet: chokidar reports its creation, and replacements). */
  add(file: string): void {
    if (this.files.has(file)) return;
    this.files.add(file);
    if (!this.watcher) {
      // persistent: false: the HTTP server, not a log watch, keeps the agent's process alive.
      this.watcher = watch([], { persistent: false, ignoreInitial: true });
      this.watcher.on('all', (_event, changed) => this.onChange(path.resolve(changed)));
      this.watcher.on('error', (err) => this.logger.warn({ err: loggable(err) }, 'log watcher error'));
    }
    this.watcher.add(file);
  }

  remove(file: string): void {
    if (!this.files.delete(file)) return;
    this.watcher?.unwatch(file);
  }

  async close(): Promise<void> {
    this.files.clear();
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
  }
}
