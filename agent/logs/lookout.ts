// Notices when the logs of tasks that have not started yet are created (Slurm creates a task's log as it
// starts), for one stat per folder per cycle while nothing happens. Watching the missing files themselves
// does not do: chokidar 4 reports only the first of several files created in one folder, and on Lustre the
// login node hears no event at all. A folder's mtime changes when an entry is added, on every filesystem.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FolderChange } from '../fs/folder-change.js';
import { statCheap } from '../fs/stat-cheap.js';

/** Up to this many awaited names in a folder are looked up one by one; more, and the folder is listed. */
const LOOKUP_MAX = 16;

interface Folder {
  change: FolderChange;
  /** Awaited file name -> the keys waiting for it. */
  names: Map<string, Set<string>>;
}

export class LogLookout<T> {
  private readonly folders = new Map<string, Folder>();
  private readonly waiting = new Map<string, { paths: string[]; value: T }>();

  /** Waits for any of `paths` (absolute) to exist; `value` is handed back with the key when one does. */
  expect(key: string, paths: readonly string[], value: T): void {
    this.cancel(key);
    this.waiting.set(key, { paths: [...paths], value });
    for (const p of paths) {
      const dir = path.dirname(p);
      let folder = this.folders.get(dir);
      if (!folder) {
        folder = { change: new FolderChange(), names: new Map() };
        this.folders.set(dir, folder);
      }
      const name = path.basename(p);
      const keys = folder.names.get(name) ?? new Set<string>();
      keys.add(key);
      folder.names.set(name, keys);
    }
  }

  cancel(key: string): void {
    const w = this.waiting.get(key);
    if (!w) return;
    this.waiting.delete(key);
    for (const p of w.paths) {
      const dir = path.dirname(p);
      const folder = this.folders.get(dir);
      const keys = folder?.names.get(path.basename(p));
      keys?.delete(key);
      if (folder && keys && !keys.size) folder.names.delete(path.basename(p));
      if (folder && !folder.names.size) this.folders.delete(dir);
    }
  }

  has(key: string): boolean {
    return this.waiting.has(key);
  }

  get size(): number {
    return this.waiting.size;
  }

  /**
   * Looks at every folder with awaited logs and returns the keys (with all their paths) whose logs now exist;
   * they are no longer awaited. A folder that cannot be read is tried again next time (Slurm may not have
   * made it yet).
   */
  async poll(): Promise<{ key: string; paths: string[]; value: T }[]> {
    const found = new Set<string>();
    for (const [dir, folder] of [...this.folders]) {
      let mtimeMs: number;
      try {
        mtimeMs = (await statCheap(dir)).mtimeMs;
      } catch {
        // Missing or unreadable for now: the task's log cannot exist there yet either.
        folder.change.reset();
        continue;
      }
      if (!folder.change.due(mtimeMs)) continue;
      for (const name of await presentNames(dir, folder)) {
        for (const key of folder.names.get(name) ?? []) found.add(key);
      }
    }
    const out: { key: string; paths: string[]; value: T }[] = [];
    for (const key of found) {
      const w = this.waiting.get(key);
      if (!w) continue;
      this.cancel(key);
      out.push({ key, paths: w.paths, value: w.value });
    }
    return out;
  }
}

/** The awaited names that exist in `dir`: looked up one by one when few, from one listing when many. */
async function presentNames(dir: string, folder: Folder): Promise<string[]> {
  const names = [...folder.names.keys()];
  if (names.length <= LOOKUP_MAX) {
    const exists = await Promise.all(names.map((n) => stat(path.join(dir, n)).then(yes, no)));
    return names.filter((_n, i) => exists[i]);
  }
  try {
    return (await readdir(dir)).filter((n) => folder.names.has(n));
  } catch {
    // Listing failed (removed or permissions changed since the stat): look again next cycle.
    folder.change.reset();
    return [];
  }
}

const yes = () => true;
const no = () => false;
