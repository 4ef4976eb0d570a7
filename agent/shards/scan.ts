// Counts the shards of one folder cheaply. An idle scan is one stat of the folder: its mtime changes only
// when entries are added, removed or renamed. A changed folder is listed (readdir) and only NEW names are
// statted; removed names are dropped by difference. Files still being written are re-statted while young.
// A deep scanner (a "dir/**" entry) counts the shards of every sub-folder too: a file added below changes
// only its own folder's mtime, so each sub-folder found is one stat per cycle and is listed only when it
// changed; a new or removed sub-folder changes its parent's mtime and is found by the parent's listing.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../errors.js';
import { mapLimit } from '../fs/map-limit.js';
import { shardIndex } from './task-index.js';
import { FolderChange } from '../fs/folder-change.js';
import { ShardTable, type ShardVisitor } from './table.js';
import { statCheap } from '../fs/stat-cheap.js';

/** Shared by the folders of one cycle: at most `left` per-file stats in total. */
export interface StatBudget {
  left: number;
}

export interface ScanContext {
  now: number;
  budget: StatBudget;
  /** Re-stat files whose mtime is younger than this (ms): shards being written grow without a folder change. */
  freshMs: number;
  /** The periodic refresh of young files is due this cycle. */
  refreshDue: boolean;
  /** Per-file stats in flight per folder. */
  concurrency: number;
}

export interface ScanOutcome {
  listed: boolean;
  statted: number;
  /** Count or bytes differ from before this scan. */
  changed: boolean;
}

export class FolderScanner {
  readonly dir: string;
  readonly table = new ShardTable();
  exists = false;
  error: string | null = null;
  lastScanAt: number | null = null;
  private readonly change = new FolderChange();
  /** Sub-folders by name, for a deep scanner. */
  private readonly children = new Map<string, FolderScanner>();

  constructor(
    dir: string,
    private readonly match: (name: string) => boolean,
    /** Count shards in sub-folders at any depth (hidden ones and symbolic links excepted). */
    private readonly deep = false,
  ) {
    this.dir = dir;
  }

  /** Shards here and, for a deep scanner, below. */
  get count(): number {
    return this.sum((s) => s.table.count);
  }

  get bytes(): number {
    return this.sum((s) => s.table.bytes);
  }

  /** Shards counted but not statted yet (the stat budget ran out): bytes is a lower bound meanwhile. */
  get pendingStats(): number {
    return this.sum((s) => s.table.pending);
  }

  /** Folders this scanner stats each cycle: itself and the sub-folders it found. */
  get folderCount(): number {
    return this.sum(() => 1);
  }

  /** This folder's error, else the first of a sub-folder's (an unreadable worker folder is reported too). */
  get treeError(): string | null {
    if (this.error !== null) return this.error;
    for (const c of this.children.values()) {
      const e = c.treeError;
      if (e !== null) return e;
    }
    return null;
  }

  /** Visits every shard here and below. */
  forEach(visit: ShardVisitor): void {
    this.table.forEach(visit);
    for (const c of this.children.values()) c.forEach(visit);
  }

  private sum(of: (s: FolderScanner) => number): number {
    let n = of(this);
    for (const c of this.children.values()) n += c.sum(of);
    return n;
  }

  async scan(ctx: ScanContext): Promise<ScanOutcome> {
    const [count, bytes, existed] = [this.count, this.bytes, this.exists];
    const outcome: ScanOutcome = { listed: false, statted: 0, changed: false };
    this.lastScanAt = ctx.now;
    let mtimeMs: number;
    try {
      const st = await statCheap(this.dir);
      if (!st.isDirectory())
        throw Object.assign(new Error(`${this.dir} is not a folder`), { code: 'ENOTDIR' });
      mtimeMs = st.mtimeMs;
      this.exists = true;
      this.error = null;
    } catch (err) {
      this.exists = false;
      this.error = (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : describeError(err);
      this.table.clear();
      this.children.clear();
      this.change.reset();
      outcome.changed = existed;
      return outcome;
    }
    if (this.change.due(mtimeMs)) outcome.listed = await this.list();
    outcome.statted = await this.statFiles(ctx, outcome.listed || ctx.refreshDue);
    const below = await mapLimit([...this.children.values()], ctx.concurrency, (c) => c.scan(ctx));
    for (const o of below) {
      outcome.listed ||= o.listed;
      outcome.statted += o.statted;
    }
    outcome.changed = this.count !== count || this.bytes !== bytes || !existed;
    return outcome;
  }

  private async list(): Promise<boolean> {
    let entries;
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      this.error = describeError(err);
      this.change.reset(); // list again next cycle
      return false;
    }
    const names: string[] = [];
    const subdirs = new Set<string>();
    for (const e of entries) {
      if (!e.isDirectory()) {
        if (this.match(e.name)) names.push(e.name);
      } else if (this.deep && !e.name.startsWith('.')) subdirs.add(e.name);
    }
    this.table.sync(names, shardIndex);
    if (this.deep) this.syncChildren(subdirs);
    return true;
  }

  /** Follows the sub-folders of the latest listing: new ones get a scanner, gone ones are dropped. */
  private syncChildren(subdirs: Set<string>): void {
    for (const name of this.children.keys()) if (!subdirs.has(name)) this.children.delete(name);
    for (const name of subdirs) {
      if (!this.children.has(name)) {
        const child = new FolderScanner(path.join(this.dir, name), this.match, true);
        this.children.set(name, child);
      }
    }
  }

  /** Stats new names (within the budget) and, when due, files young enough to be still growing. */
  private async statFiles(ctx: ScanContext, refreshYoung: boolean): Promise<number> {
    const names = this.table.pendingNames(Math.max(0, ctx.budget.left));
    ctx.budget.left -= names.length;
    if (refreshYoung) {
      this.table.forEach((_size, mtimeMs, _index, name) => {
        if (mtimeMs !== null && ctx.now - mtimeMs < ctx.freshMs && ctx.budget.left > 0) {
          ctx.budget.left--;
          names.push(name());
        }
      });
    }
    await mapLimit(names, ctx.concurrency, async (name) => {
      try {
        const st = await statCheap(path.join(this.dir, name));
        this.table.setStat(name, st.size, st.mtimeMs);
      } catch (err) {
        // Removed between readdir and stat: drop it now (the next listing would too).
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.table.remove(name);
        else this.error = `cannot stat ${name}: ${describeError(err)}`;
      }
    });
    return names.length;
  }
}
