// Keeps one SAS token file per configured collection valid: refreshes on the schedule and at expiry minus
// the margin (whichever is first), retries with backoff, honours 429 waits, and reports what users must see.
import type { TokenStatus } from '../api/tokens.js';
import type { Clock, Timer } from '../clock.js';
import type { Config } from '../config/load.js';
import { AgentError, loggable } from '../errors.js';
import type { Logger } from '../log.js';
import { backoffDelayMs, DEFAULT_BACKOFF } from './backoff.js';
import { entryStatus, newEntry, type Entry } from './entry.js';
import { readSubscriptionKey } from './key-file.js';
import { collectionProblems, parseCollection } from './names.js';
import { Outcomes } from './outcomes.js';
import { nextRefreshAt } from './plan.js';
import { requestToken } from './request.js';
import { SasFetchError } from './sas-client.js';
import { CronSchedule, cronProblem, type Schedule } from './schedule.js';
import { TokenStore } from './token-store.js';
import type { BackoffPolicy, TokenRefresherDeps } from './types.js';

export class TokenRefresher {
  private readonly config: Config['tokens'];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly policy: BackoffPolicy;
  private readonly store: TokenStore;
  private readonly outcomes: Outcomes;
  private readonly onRefreshFailed: (collection: string) => void;
  private readonly entries = new Map<string, Entry>();
  private readonly problems: string[];
  private schedule: Schedule | null = null;
  private key: string | null = null;
  private running = false;
  /** The start in progress or done; null before start() and after stop(). */
  private starting: Promise<void> | null = null;
  private abort = new AbortController();
  /** The latest schedule tick already served, so a tick is never served twice. */
  private cronFloor = -Infinity;
  /** A 429 is taken as the API's word for every collection: no request before this time. */
  private notBefore: number | null = null;
  private readonly waits = new Set<{ timer: Timer; resolve: () => void }>();

  /** Builds the service; no I/O. Problems with the config are reported by start(). */
  constructor(deps: TokenRefresherDeps) {
    this.config = deps.config;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.random = deps.random ?? Math.random;
    this.policy = { ...DEFAULT_BACKOFF, ...deps.backoff };
    this.store = new TokenStore(deps.config.outDir, deps.logger, deps.onEvent);
    this.outcomes = new Outcomes(deps.logger, deps.onEvent, deps.config.refreshMarginSeconds);
    this.onRefreshFailed = deps.onRefreshFailed ?? (() => undefined);
    this.problems = collectionProblems(deps.config.collections);
    // A list with a bad entry is refused by start(): its entries are not made (parseCollection would throw).
    const usable = this.problems.length === 0;
    const cron = cronProblem(deps.config.refreshCron);
    if (cron !== null) this.problems.push(`tokens.refreshCron: ${cron}`);
    for (const id of usable ? deps.config.collections : []) {
      if (this.entries.has(id)) continue;
      const spec = parseCollection(id);
      this.entries.set(id, newEntry(spec, this.store.jsonPath(spec), this.store.tokenPath(spec)));
    }
  }

  /** Checks the config, reads the key and the files already on disk, and plans every collection's refresh. */
  start(): Promise<void> {
    if (this.starting !== null) {
      return Promise.reject(new AgentError('AGENT_ERR_CONFLICT', 'token refresher already started'));
    }
    // A failed start may be retried (after fixing a key file's mode, say).
    const starting = this.begin().catch((err: unknown) => {
      if (this.starting === starting) this.starting = null;
      throw err;
    });
    this.starting = starting;
    return starting;
  }

  private async begin(): Promise<void> {
    if (this.problems.length) {
      throw new AgentError('AGENT_ERR_CONFIG', `invalid tokens config: ${this.problems.join('; ')}`, {
        details: { problems: this.problems },
      });
    }
    if (this.entries.size === 0) {
      // Nothing to refresh: touch no folder and no key file (workRoot may not even exist on this machine).
      this.running = true;
      this.logger.info('no tokens.collections configured; SAS token refresher idle');
      return;
    }
    this.key = this.config.subscriptionKeyFile
      ? await readSubscriptionKey(this.config.subscriptionKeyFile)
      : null;
    await this.store.prepare();
    for (const e of this.entries.values()) {
      const rec = await this.store.read(e.spec);
      e.expiryMs = rec ? Date.parse(rec.expiry) : null;
      e.lastRefreshAt = rec ? Date.parse(rec.fetchedAt) : null;
    }
    this.schedule = new CronSchedule(this.config.refreshCron);
    this.abort = new AbortController();
    this.running = true;
    this.logger.info(
      { collections: [...this.entries.keys()], outDir: this.config.outDir, cron: this.config.refreshCron },
      'SAS token refresher started',
    );
    // Missing tokens and tokens inside the margin come out due now and are fetched at once.
    for (const e of this.entries.values()) this.arm(e);
  }

  /** Cancels timers and requests in flight, and waits for any file write under way to finish. */
  async stop(): Promise<void> {
    // A stop during start waits for it, so nothing start() plans survives the stop.
    const starting = this.starting;
    this.starting = null;
    // A failed start was already reported to its caller; here only its end matters.
    await starting?.catch((err: unknown) => void err);
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    for (const w of this.waits) {
      w.timer.cancel();
      w.resolve();
    }
    this.waits.clear();
    const cycles: Promise<void>[] = [];
    for (const e of this.entries.values()) {
      e.refreshTimer?.cancel();
      e.expiryTimer?.cancel();
      e.refreshTimer = e.expiryTimer = null;
      e.nextRefreshAt = null;
      if (e.cycle) cycles.push(e.cycle);
    }
    await Promise.allSettled(cycles);
    this.schedule?.dispose();
    this.schedule = null;
  }

  /** One entry per configured collection; never a token. */
  status(): TokenStatus[] {
    const now = this.clock.now();
    const margin = this.config.refreshMarginSeconds * 1000;
    return [...this.entries.values()].map((e) => entryStatus(e, now, margin));
  }

  /** Plans the next request for e (and its expiry alarm); a request due now starts at once. */
  private arm(e: Entry): void {
    e.refreshTimer?.cancel();
    e.expiryTimer?.cancel();
    e.refreshTimer = e.expiryTimer = null;
    if (!this.running || this.schedule === null) return;
    const now = this.clock.now();
    const cronNext = this.schedule.nextAfter(Math.max(now, this.cronFloor));
    const due = nextRefreshAt({
      now,
      cronNext,
      expiryMs: e.expiryMs,
      marginMs: this.config.refreshMarginSeconds * 1000,
      lastAttemptAt: e.lastAttemptAt,
      minGapMs: this.policy.capMs,
      lifetimeMs: e.expiryMs !== null && e.lastRefreshAt !== null ? e.expiryMs - e.lastRefreshAt : null,
      notBefore: this.notBefore,
    });
    if (e.expiryMs !== null && e.expiryMs > now) {
      e.expiryTimer = this.clock.setTimer(e.expiryMs - now, () => {
        e.expiryTimer = null;
        this.outcomes.expired(e, this.clock.now());
      });
    }
    if (due <= now) {
      void this.launch(e);
      return;
    }
    e.nextRefreshAt = due;
    e.refreshTimer = this.clock.setTimer(due - now, () => {
      e.refreshTimer = null;
      if (due === cronNext) this.cronFloor = Math.max(this.cronFloor, due);
      void this.launch(e);
    });
  }

  /** Starts a refresh cycle for e, or returns the one in progress (one request in flight per collection). */
  private launch(e: Entry): Promise<void> {
    if (e.cycle) return e.cycle;
    e.refreshTimer?.cancel();
    e.refreshTimer = null;
    e.cycle = this.cycle(e)
      .catch((err: unknown) => {
        this.logger.error({ collection: e.spec.id, err: loggable(err) }, 'token refresh cycle failed');
      })
      .finally(() => {
        e.cycle = null;
        this.arm(e);
      });
    return e.cycle;
  }

  /** Requests until success, a refusal, or the attempt limit; waits per 429 or backoff between tries. */
  private async cycle(e: Entry): Promise<void> {
    for (let failures = 0; this.running;) {
      const hold = this.notBefore === null ? 0 : this.notBefore - this.clock.now();
      if (hold > 0) {
        e.nextRefreshAt = this.notBefore;
        await this.sleep(hold);
        continue;
      }
      e.nextRefreshAt = null;
      const err = await this.attempt(e);
      // A request cut short by stop() is no attempt: it must not delay the next start's first request.
      if (err?.kind === 'aborted') return;
      e.lastAttemptAt = this.clock.now();
      if (err === null || !this.running) return;
      failures += 1;
      this.outcomes.failure(e, err, this.clock.now());
      this.onRefreshFailed(e.spec.id);
      if (!err.retryable || failures >= this.policy.maxAttempts) return;
      const now = this.clock.now();
      if (err.kind === 'rate-limited' && err.retryAfterMs !== null) {
        this.notBefore = Math.max(this.notBefore ?? 0, now + err.retryAfterMs);
        continue;
      }
      const delay = backoffDelayMs(failures, this.policy, this.random);
      e.nextRefreshAt = now + delay;
      await this.sleep(delay);
    }
  }

  /** One request; writes the files on success. Resolves with the failure, or null on success. */
  private async attempt(e: Entry): Promise<SasFetchError | null> {
    this.logger.debug({ collection: e.spec.id }, 'requesting SAS token');
    const got = await requestToken({
      config: this.config,
      spec: e.spec,
      key: this.key,
      clock: this.clock,
      signal: this.abort.signal,
      store: this.store,
    });
    if (got instanceof SasFetchError) return got;
    this.outcomes.success(e, got.expiryMs, got.fetchedAt);
    return null;
  }

  /** A wait on the injected clock that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const w = {
        timer: this.clock.setTimer(ms, () => {
          this.waits.delete(w);
          resolve();
        }),
        resolve,
      };
      this.waits.add(w);
    });
  }
}
