// What `emb-client health` reports: is the scheduler reachable, when did the tracker last hear from it.
import { statfsSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Health } from './api/schemas.js';
import type { TokenStatus } from './api/tokens.js';
import type { Clock, Timer } from './clock.js';
import type { Config } from './config/load.js';
import type { OutboxStatus } from './notify/outbox.js';
import { describeError } from './errors.js';
import type { Scheduler } from './slurm/types.js';
import { versionSupport } from './slurm/version.js';
import type { Tracker } from './tracker/tracker.js';

/**
 * The version probe repeats while Slurm is unreachable, soon at first and then less often, so health
 * recovers by itself within seconds of a short outage and costs little during a long one.
 */
const REPROBE_FIRST_MS = 5_000;
const REPROBE_MAX_MS = 5 * 60_000;

/** /health writes to the database at most this often: enough to show a full disk, cheap when polled. */
const WRITE_PROBE_MS = 5_000;
/**
 * Below this much free space the database is reported as not writable even if the probe's one page fitted:
 * SQLite's journal may still hold room a failed write left, while the next real transaction needs more.
 */
const MIN_FREE_BYTES = 1024 * 1024;

export interface HealthDeps {
  config: Config;
  version: string;
  clock: Clock;
  scheduler: Scheduler;
  tracker: Tracker;
  /** The state database; read when /health is asked, so it may open after the monitor is built. */
  database: { readonly db: Database; readonly journal: string };
  /** Rewrites one row; throws when the database cannot be written (a full disk, a read-only mount). */
  probeWrite(): void;
  /** The SAS token refresher, when collections are configured. */
  tokens?: { status(): TokenStatus[] };
  /** The notification targets, when any is configured. */
  notify?: { readonly enabled: boolean; status(): OutboxStatus[] };
  /** Who holds the lease and who stands by; read from the lease folder. */
  lease?: () => Health['lease'];
}

export class HealthMonitor {
  private readonly d: HealthDeps;
  private readonly startedAt: number;
  private slurmVersion: string | null = null;
  private slurmSupport: string | null = null;
  private probeError: string | null = null;
  private timer: Timer | null = null;
  private stopped = false;
  private reprobeMs = REPROBE_FIRST_MS;
  private writeProbedAt = -Infinity;
  private writeError: string | null = null;

  constructor(deps: HealthDeps) {
    this.d = deps;
    this.startedAt = deps.clock.now();
  }

  start(): void {
    this.stopped = false;
    void this.probe();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private async probe(): Promise<void> {
    try {
      const v = await this.d.scheduler.version();
      this.slurmVersion = v.text;
      this.slurmSupport = versionSupport(v).text;
      this.probeError = null;
      this.reprobeMs = REPROBE_FIRST_MS;
    } catch (err) {
      this.probeError = describeError(err);
      if (!this.stopped) this.timer = this.d.clock.setTimer(this.reprobeMs, () => void this.probe());
      this.reprobeMs = Math.min(this.reprobeMs * 2, REPROBE_MAX_MS);
    }
  }

  /** Whether the database took a write just now (or within WRITE_PROBE_MS); the error if not. */
  private writable(): string | null {
    const now = this.d.clock.now();
    if (now - this.writeProbedAt >= WRITE_PROBE_MS) {
      this.writeProbedAt = now;
      try {
        this.d.probeWrite();
        this.writeError = null;
      } catch (err) {
        this.writeError = describeError(err);
      }
    }
    if (this.writeError !== null) return this.writeError;
    // statfs is cheap: asked every time, so a disk that just filled up shows at once.
    try {
      const fs = statfsSync(path.dirname(this.d.config.dbPath));
      const free = fs.bavail * fs.bsize;
      if (free < MIN_FREE_BYTES)
        return `the filesystem holding the database is full (${Math.floor(free / 1024)} KiB free)`;
    } catch (err) {
      return `cannot tell the free space where the database is: ${describeError(err)}`;
    }
    return null;
  }

  snapshot(): Health {
    const { config, tracker } = this.d;
    const { db, journal } = this.d.database;
    const t = tracker.status();
    const writeError = this.writable();
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const available = this.slurmVersion !== null && t.lastError === null;
    const failing = tokensFailing(this.d.tokens?.status() ?? []);
    return {
      ok: available && writeError === null && failing.length === 0,
      version: this.d.version,
      host: config.env.hostname,
      uid: config.env.uid,
      pid: config.env.pid,
      startedAt: new Date(this.startedAt).toISOString(),
      listen: config.api.listenText,
      scheduler: {
        available,
        version: this.slurmVersion,
        support: this.slurmSupport,
        lastPollAt: iso(t.lastPollAt),
        lastError: t.lastError ?? this.probeError,
        liveJobs: t.liveJobs,
      },
      db: {
        writable: writeError === null,
        writeError,
        path: config.dbPath,
        journal,
        schemaVersion: db.pragma('user_version', { simple: true }) as number,
      },
      ...(this.d.tokens ? { tokens: { failing } } : {}),
      ...(this.d.notify?.enabled ? { notify: { targets: this.d.notify.status() } } : {}),
      ...(this.d.lease ? { lease: this.d.lease() } : {}),
    };
  }
}

/**
 * Collections whose refresh keeps failing: the token expired, or a valid one could not be refreshed inside
 * the margin (the refresher retries with backoff), or none was ever fetched. Jobs will soon see HTTP 403.
 */
function tokensFailing(status: TokenStatus[]): NonNullable<Health['tokens']>['failing'] {
  return status
    .filter(
      (s) => s.state === 'expired' || s.state === 'error' || (s.state === 'missing' && s.lastError !== null),
    )
    .map((s) => ({ collection: s.collection, state: s.state, lastError: s.lastError }));
}
