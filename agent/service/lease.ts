// One agent per user across login nodes: a lease file in stateDir, on the shared filesystem (Lustre or NFS
// $HOME) that every login node sees. The holder rewrites it every heartbeat; a second agent reads it and
// refuses, naming the holder; a lease whose heartbeat is older than the TTL (or whose pid is dead on this
// same host) is taken over. How the file is written so that this holds on Lustre and NFS: lease-file.ts.
//
// What this cannot exclude: a holder that was frozen for a whole TTL and wakes up mid-takeover may write
// one more heartbeat over the new body. Each heartbeat first checks that the lease is still ours, so one of
// the two sees a foreign owner at its next heartbeat and reports it through onLost (main then stops).
//
// Clocks: heartbeatAt is the holder's wall time, compared with ours. Login nodes run NTP, and a TTL well
// above the heartbeat (90 s vs 20 s) tolerates tens of seconds of skew and NFS attribute caching (60 s).
import { randomUUID } from 'node:crypto';
import type { Clock, Timer } from '../clock.js';
import { AgentError, describeError, loggable } from '../errors.js';
import type { Logger } from '../log.js';
import { describeHolder, type LeaseBody } from './lease-body.js';
import { LeaseFile, type LeaseText } from './lease-file.js';
import { takeOver, type TakeoverOutcome } from './lease-takeover.js';
import { pidAlive } from './shared-files.js';

const LEASE_DEFAULTS = { ttlMs: 90_000, heartbeatMs: 20_000 } as const;

export interface LeaseOptions {
  /** `<stateDir>/agent.lease`. */
  file: string;
  host: string;
  pid: number;
  ttlMs?: number;
  heartbeatMs?: number;
  clock: Clock;
  logger: Logger;
  version: string;
  /** The API address; set it later with update() once listening. */
  listen?: string | null;
  /** Called once if another agent took the lease over while we held it; main should stop. */
  onLost?: (holder: LeaseBody | null) => void;
}

export class Lease {
  /** Random id of this run; what "ours" means. */
  readonly owner = randomUUID();
  private readonly file: string;
  private readonly lease: LeaseFile;
  private readonly ttlMs: number;
  private readonly heartbeatMs: number;
  private listen: string | null;
  private startedAt = 0;
  private held = false;
  /** The stale lease we took over: its holder stopped without releasing it (a crash, a kill -9). */
  private takenOver: LeaseText | null = null;
  private running = false;
  private timer: Timer | undefined;
  private beating: Promise<void> | undefined;

  constructor(private readonly opts: LeaseOptions) {
    this.file = opts.file;
    this.lease = new LeaseFile(opts.file, this.owner, opts.logger);
    this.ttlMs = opts.ttlMs ?? LEASE_DEFAULTS.ttlMs;
    this.heartbeatMs = opts.heartbeatMs ?? LEASE_DEFAULTS.heartbeatMs;
    this.listen = opts.listen ?? null;
    if (!(this.heartbeatMs > 0) || this.ttlMs < 2 * this.heartbeatMs) {
      throw new AgentError(
        'AGENT_ERR_CONFIG',
        `lease: the TTL (${this.ttlMs} ms) must be at least twice the heartbeat (${this.heartbeatMs} ms)`,
      );
    }
  }

  /** Who held the lease before us and never released it, once acquired; null after a clean stop. */
  get takenOverFrom(): { host: string | null; pid: number | null; lastSeenAt: number | null } | null {
    if (this.takenOver === null) return null;
    const b = this.takenOver.body;
    return { host: b?.host ?? null, pid: b?.pid ?? null, lastSeenAt: b?.heartbeatAt ?? null };
  }

  /** Takes the lease, or throws AGENT_ERR_LEASE_HELD naming the live holder. */
  async acquire(): Promise<LeaseBody> {
    if (this.held) return this.body();
    try {
      return await this.tryAcquire();
    } catch (err) {
      if (err instanceof AgentError) throw err;
      throw new AgentError(
        'AGENT_ERR_INTERNAL',
        `cannot take the lease ${this.file}: ${describeError(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  private async tryAcquire(): Promise<LeaseBody> {
    await this.lease.prepare();
    this.startedAt = this.opts.clock.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const mine = this.body();
      if (await this.lease.create(mine)) return this.won(mine, null);
      const cur = await this.lease.current();
      if (cur === null) continue; // released between our create and our read
      if (cur.body?.owner === this.owner) return this.won(cur.body, null);
      if (!this.isStale(cur)) throw this.heldError(cur, false);
      const outcome = await this.takeOver(cur);
      if (outcome === 'won') return this.won(this.body(), cur);
      if (outcome === 'busy') throw this.heldError(cur, true);
    }
    throw new AgentError(
      'AGENT_ERR_LEASE_HELD',
      `cannot acquire ${this.file}: it kept changing (agents starting at once?)`,
    );
  }

  /**
   * Throws unless the lease file names us with a heartbeat younger than the TTL. Synchronous, so it runs
   * before anything else once a frozen agent (SIGSTOP, a VM pause) wakes up: its overdue timers fire before
   * its heartbeat can read the file, and a resubmission sent then would go out twice. Called before every
   * scheduler command. A foreign owner means the lease is lost (onLost); a stale body of ours only means
   * "not now": the next heartbeat renews it, or finds that a standby took it over.
   */
  fence(): void {
    if (!this.held) {
      throw new AgentError('AGENT_ERR_LEASE_HELD', 'this agent does not hold the lease (any more)');
    }
    let body: LeaseBody | null = null;
    try {
      body = this.lease.readNow();
    } catch (err) {
      // Unreadable or missing: the heartbeat repairs or re-creates it; meanwhile do nothing that matters.
      throw new AgentError('AGENT_ERR_LEASE_HELD', `cannot confirm the lease: ${describeError(err)}`, {
        cause: err,
      });
    }
    if (body.owner !== this.owner) {
      this.markLost(body);
      throw new AgentError('AGENT_ERR_LEASE_HELD', 'the lease was taken over by another agent');
    }
    if (this.opts.clock.now() - body.heartbeatAt > this.ttlMs) {
      throw new AgentError(
        'AGENT_ERR_LEASE_HELD',
        'our lease heartbeat is older than its TTL; waiting for it',
      );
    }
  }

  /** Heartbeats every heartbeatMs until stop(). */
  start(): void {
    if (!this.held) throw new AgentError('AGENT_ERR_INTERNAL', 'lease: start() before acquire()');
    this.running = true;
    this.schedule();
  }

  /** Stops heartbeating and releases the lease if it is still ours. Never throws. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.beating;
    if (this.held) await this.release();
  }

  /** Records the address the API listens on (known only after listen) and writes it at once. */
  async update(change: { listen: string | null }): Promise<void> {
    this.listen = change.listen;
    await this.heartbeat();
  }

  /** Rewrites the lease now, if we hold it; detects a lost lease. */
  heartbeat(): Promise<void> {
    if (!this.held) return Promise.resolve();
    this.beating ??= this.beat().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  private schedule(): void {
    if (!this.running || !this.held) return;
    this.timer = this.opts.clock.setTimer(this.heartbeatMs, () => {
      void this.heartbeat().then(() => this.schedule());
    });
  }

  private async beat(): Promise<void> {
    try {
      let cur = await this.lease.current();
      if (cur === null) {
        // Someone removed it (a person, or a racing release). Take it back unless another agent did.
        this.opts.logger.warn({ file: this.file }, 'lease file disappeared; re-creating it');
        if (await this.lease.create(this.body())) return;
        cur = await this.lease.current();
        if (cur === null) return;
      }
      if (cur.body === null) {
        // No agent writes a partial lease (temp file + rename), so this is damage, not a rival: repair it.
        this.opts.logger.warn({ file: this.file, problem: cur.problem }, 'unreadable lease; rewriting ours');
      } else if (cur.body.owner !== this.owner) {
        this.markLost(cur.body);
        return;
      }
      await this.lease.replace(this.body());
    } catch (err) {
      // A filesystem hiccup is not a lost lease: keep trying; if it lasts a TTL another agent takes over
      // and the next heartbeat that gets through sees it.
      this.opts.logger.warn({ err: loggable(err), file: this.file }, 'lease heartbeat failed');
    }
  }

  private markLost(holder: LeaseBody | null): void {
    this.held = false;
    this.running = false;
    this.timer?.cancel();
    const who = holder ? describeHolder(holder, this.opts.clock.now()) : 'an unreadable lease';
    this.opts.logger.error({ file: this.file, holder }, `lease lost: it now names ${who}`);
    this.opts.onLost?.(holder);
  }

  private won(body: LeaseBody, previous: LeaseText | null): LeaseBody {
    this.held = true;
    this.takenOver = previous;
    const prev = previous?.body ? describeHolder(previous.body, this.opts.clock.now()) : null;
    this.opts.logger.info(
      { file: this.file, previous: previous?.body ?? null },
      prev ? `lease taken over from ${prev}` : 'lease acquired',
    );
    return body;
  }

  private body(): LeaseBody {
    return {
      owner: this.owner,
      host: this.opts.host,
      pid: this.opts.pid,
      listen: this.listen,
      startedAt: this.startedAt,
      heartbeatAt: this.opts.clock.now(),
      version: this.opts.version,
    };
  }

  private isStale(cur: LeaseText): boolean {
    if (cur.body === null) {
      this.opts.logger.warn({ file: this.file, problem: cur.problem }, 'unreadable lease; taking it over');
      return true;
    }
    const b = cur.body;
    if (b.host === this.opts.host && !pidAlive(b.pid)) return true;
    return this.opts.clock.now() - b.heartbeatAt > this.ttlMs;
  }

  private heldError(cur: LeaseText, takeoverBusy: boolean): AgentError {
    const now = this.opts.clock.now();
    const holder = cur.body ? describeHolder(cur.body, now) : 'another host (unreadable lease)';
    const message = takeoverBusy
      ? `another emb-agent is taking over the stale lease of ${holder} right now`
      : `emb-agent already runs on ${holder}`;
    return new AgentError('AGENT_ERR_LEASE_HELD', message, {
      details: { file: this.file, holder: cur.body },
    });
  }

  private takeOver(stale: LeaseText): Promise<TakeoverOutcome> {
    return takeOver({
      file: this.file,
      staleText: stale.raw,
      claim: {
        owner: this.owner,
        host: this.opts.host,
        pid: this.opts.pid,
        claimedAt: this.opts.clock.now(),
      },
      ttlMs: this.ttlMs,
      now: () => this.opts.clock.now(),
      logger: this.opts.logger,
      newText: () => JSON.stringify(this.body()),
    });
  }

  /** Releases the lease only if it is still ours (it may have been taken over while we were frozen). */
  private async release(): Promise<void> {
    try {
      const removed = await this.lease.removeIfOurs();
      if (removed) this.opts.logger.info({ file: this.file }, 'lease released');
    } catch (err) {
      this.opts.logger.warn(
        { err: loggable(err), file: this.file },
        'could not release the lease; it expires after its TTL',
      );
    }
    this.held = false;
  }
}
