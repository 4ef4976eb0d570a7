// The sub-folders of a configured "parent/*" entry (outputs/shards/* -> aef, tessera), re-listed only when
// the parent's mtime says an entry was added or removed.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../errors.js';
import { FolderChange } from '../fs/folder-change.js';
import { statCheap } from '../fs/stat-cheap.js';

export class GroupLister {
  readonly parent: string;
  exists = false;
  error: string | null = null;
  /** Absolute paths of the sub-folders, sorted. */
  subdirs: string[] = [];
  private readonly change = new FolderChange();

  constructor(parent: string) {
    this.parent = parent;
  }

  /** Refreshes `subdirs` when the parent changed; one stat when it did not. */
  async refresh(): Promise<void> {
    let mtimeMs: number;
    try {
      mtimeMs = (await statCheap(this.parent)).mtimeMs;
      this.exists = true;
      this.error = null;
    } catch (err) {
      this.exists = false;
      this.error = (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : describeError(err);
      this.subdirs = [];
      this.change.reset();
      return;
    }
    if (!this.change.due(mtimeMs)) return;
    try {
      const entries = await readdir(this.parent, { withFileTypes: true });
      const dirs: string[] = [];
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const full = path.join(this.parent, e.name);
        // A symlinked sub-folder (the guide's project-space links) needs a stat to know what it points to.
        if (e.isDirectory() || (e.isSymbolicLink() && (await isDir(full)))) dirs.push(full);
      }
      this.subdirs = dirs.sort();
    } catch (err) {
      this.error = describeError(err);
      this.change.reset();
    }
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
