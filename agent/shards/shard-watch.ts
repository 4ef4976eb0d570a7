// Watches the configured shard folders by polling their mtimes (never a per-file poll), keeps count/bytes
// samples in the database and reports progress, rate, ETA, per-task counts and purge warnings.
import type { ShardStatus } from '../api/shards.js';
import type { Clock } from '../clock.js';
import { loggable } from '../errors.js';
import type { Logger } from '../log.js';
import { FixedRate } from '../fs/fixed-rate.js';
import { compileGlob } from '../fs/glob.js';
import { mapLimit } from '../fs/map-limit.js';
import { shardEntry } from './entry.js';
import { GroupLister } from './group.js';
import { FolderScanner, type ScanContext, type StatBudget } from './scan.js';
import { ages, etaSeconds, perTask, ratePerHour } from './status.js';
import type { ShardSample, ShardStore } from './store.js';

export interface ShardDirSpec {
  /**
   * Absolute path; "parent/*" stands for every sub-folder of parent; a trailing "/**" counts the shards of
   * the sub-folders at any depth toward their entry ("parent/*\/**", "dir/**").
   */
  path: string;
  target?: number | undefined;
  /** Glob for shard names (default "*.tar"). */
  pattern: string;
}

export interface ShardWatchOptions {
  clock: Clock;
  logger: Logger;
  store: ShardStore;
  dirs: readonly ShardDirSpec[];
  /** watch.pollSeconds */
  pollSeconds: number;
  /** watch.rateWindowMinutes */
  rateWindowMinutes: number;
  /** watch.purgeDays */
  purgeDays: number;
  /** Files younger than this are re-statted now and then (they may still be growing). Default 30. */
  freshMinutes?: number;
  /** How often young files are re-statted when their folder did not change. Default 5. */
  refreshMinutes?: number;
  /** Most per-file stats per cycle, all folders together: a first scan of 100k files is spread out. Default 10000. */
  statBudget?: number;
  /** A sample is stored when count or bytes change, and at least this often. Default 10. */
  sampleEveryMinutes?: number;
  /** Samples older than this are pruned. Default 14. */
  retentionDays?: number;
  /**
   * Folders scanned at once (and stats queued per folder). Default 32: the libuv pool still runs four stats
   * at a time, and a deeper queue costs far less CPU per stat than four at a time.
   */
  concurrency?: number;
}

interface Folder {
  scanner: FolderScanner;
  spec: ShardDirSpec;
  group: string | null;
  /** The newest stored sample; undefined until read from the store on the first cycle. */
  lastSample: ShardSample | null | undefined;
  lastChangeAt: number | null;
}

const MINUTE = 60_000;

export class ShardWatch {
  private readonly o: ShardWatchOptions;
  private readonly groups: { lister: GroupLister; spec: ShardDirSpec }[] = [];
  private readonly folders = new Map<string, Folder>();
  private readonly loop: FixedRate;
  private lastRefresh = 0;
  private lastPrune = 0;

  constructor(opts: ShardWatchOptions) {
    this.o = opts;
    this.loop = new FixedRate(
      opts.clock,
      opts.pollSeconds * 1000,
      () => this.runCycle(),
      (err) => opts.logger.error({ err: loggable(err) }, 'shard scan failed'),
    );
    for (const spec of opts.dirs) {
      const { root, group } = shardEntry(spec.path);
      if (group) this.groups.push({ lister: new GroupLister(root), spec });
      else this.addFolder(root, spec, null);
    }
  }

  async start(): Promise<void> {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Every folder's status (rates from the database; no filesystem access). Configured groups that are missing are listed too. */
  status(): ShardStatus[] {
    const out: ShardStatus[] = [];
    for (const g of this.groups) {
      if (!g.lister.exists) out.push(this.missingGroup(g.lister.parent, g.spec, g.lister.error));
    }
    for (const f of this.folders.values()) out.push(this.describe(f));
    return out.sort((a, b) => a.dir.localeCompare(b.dir));
  }

  /** Shards counted but not statted yet, all folders together (the first scan of a big tree spreads its stats). */
  pendingStats(): number {
    let n = 0;
    for (const f of this.folders.values()) n += f.scanner.pendingStats;
    return n;
  }

  /**
   * Shards with this array index whose mtime is at or after `since` (ms), in the given folders or all:
   * the resume progress guard's "new shards" for an attempt.
   */
  shardsSince(index: number, since: number, dirs?: readonly string[]): number {
    let n = 0;
    for (const f of this.folders.values()) {
      if (dirs && !dirs.includes(f.scanner.dir)) continue;
      f.scanner.forEach((_size, mtimeMs, i) => {
        if (i === index && mtimeMs !== null && mtimeMs >= since) n++;
      });
    }
    return n;
  }

  private addFolder(dir: string, spec: ShardDirSpec, group: string | null): void {
    if (this.folders.has(dir)) return;
    const scanner = new FolderScanner(dir, compileGlob(spec.pattern), shardEntry(spec.path).deep);
    this.folders.set(dir, { scanner, spec, group, lastSample: undefined, lastChangeAt: null });
  }

  private async runCycle(): Promise<void> {
    const now = this.o.clock.now();
    await this.refreshGroups();
    const refreshDue = now - this.lastRefresh >= (this.o.refreshMinutes ?? 5) * MINUTE;
    if (refreshDue) this.lastRefresh = now;
    const budget: StatBudget = { left: this.o.statBudget ?? 10_000 };
    const concurrency = this.o.concurrency ?? 32;
    const ctx: ScanContext = {
      now,
      budget,
      freshMs: (this.o.freshMinutes ?? 30) * MINUTE,
      refreshDue,
      concurrency,
    };
    const folders = [...this.folders.values()];
    const changed = await mapLimit(folders, concurrency, async (f) => (await f.scanner.scan(ctx)).changed);
    this.recordSamples(folders, changed, now);
    for (const [i, f] of folders.entries()) if (changed[i]) f.lastChangeAt = now;
  }

  /** Adds folders that appeared under a "parent/*" entry and drops those that went. */
  private async refreshGroups(): Promise<void> {
    for (const g of this.groups) {
      await g.lister.refresh();
      const current = new Set(g.lister.subdirs);
      for (const dir of current) this.addFolder(dir, g.spec, g.spec.path);
      for (const [dir, f] of this.folders) {
        if (f.group === g.spec.path && !current.has(dir)) this.folders.delete(dir);
      }
    }
  }

  private recordSamples(folders: Folder[], changed: boolean[], now: number): void {
    const every = (this.o.sampleEveryMinutes ?? 10) * MINUTE;
    const samples: ShardSample[] = [];
    folders.forEach((f, i) => {
      const s = f.scanner;
      if (!s.exists) return;
      if (f.lastSample === undefined) f.lastSample = this.latestStored(s.dir);
      const last = f.lastSample;
      const differs = !last || last.count !== s.count || last.bytes !== s.bytes;
      if (changed[i] || differs || now - last.at >= every) {
        f.lastSample = { dir: s.dir, at: now, count: s.count, bytes: s.bytes };
        samples.push(f.lastSample);
      }
    });
    try {
      this.o.store.record(samples);
      if (now - this.lastPrune >= 60 * MINUTE) {
        this.lastPrune = now;
        this.o.store.prune(now - (this.o.retentionDays ?? 14) * 24 * 60 * MINUTE);
      }
    } catch (err) {
      this.o.logger.error({ err: loggable(err) }, 'cannot record shard samples');
    }
  }

  private latestStored(dir: string): ShardSample | null {
    try {
      return this.o.store.latest(dir);
    } catch (err) {
      this.o.logger.warn({ dir, err: loggable(err) }, 'cannot read shard samples');
      return null;
    }
  }

  private describe(f: Folder): ShardStatus {
    const s = f.scanner;
    const now = this.o.clock.now();
    const windowStart = now - this.o.rateWindowMinutes * MINUTE;
    let rate: number | null = null;
    if (s.exists && s.lastScanAt !== null) {
      try {
        rate = ratePerHour({ at: s.lastScanAt, count: s.count }, this.o.store.baseline(s.dir, windowStart));
      } catch (err) {
        this.o.logger.warn({ dir: s.dir, err: loggable(err) }, 'cannot read shard samples');
      }
    }
    const target = f.spec.target ?? null;
    const age = ages(s, now, this.o.purgeDays);
    return {
      dir: s.dir,
      group: f.group,
      missing: !s.exists && s.error === null && s.lastScanAt !== null,
      error: s.treeError,
      count: s.count,
      bytes: s.bytes,
      bytesPending: s.pendingStats,
      target,
      ratePerHour: rate === null ? null : Math.round(rate * 100) / 100,
      etaSeconds: etaSeconds(s.count, target, rate),
      perTask: perTask(s),
      oldestAgeDays: age.oldestAgeDays,
      purge: age.purge,
      lastScanAt: s.lastScanAt === null ? null : new Date(s.lastScanAt).toISOString(),
      lastChangeAt: f.lastChangeAt === null ? null : new Date(f.lastChangeAt).toISOString(),
    };
  }

  /** Folders statted per idle cycle, sub-folders of deep entries included (the cost of watching). */
  folderCount(): number {
    let n = this.groups.length;
    for (const f of this.folders.values()) n += f.scanner.folderCount;
    return n;
  }

  private missingGroup(parent: string, spec: ShardDirSpec, error: string | null): ShardStatus {
    return {
      dir: parent,
      group: spec.path,
      missing: error === null,
      error,
      count: 0,
      bytes: 0,
      bytesPending: 0,
      target: spec.target ?? null,
      ratePerHour: null,
      etaSeconds: null,
      perTask: [],
      oldestAgeDays: null,
      purge: null,
      lastScanAt: null,
      lastChangeAt: null,
    };
  }
}
