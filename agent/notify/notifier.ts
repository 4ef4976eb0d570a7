// The notification service: offer(event) is all the agent calls. It never throws and never waits: events
// pass the throttle (dedupe, one message per window, digests) into one bounded outbox per target, which
// delivers with retries and back-off on the injected clock.
import type { Clock } from '../clock.js';
import { describeError, loggable } from '../errors.js';
import { scrubKnown, type Logger } from '../log.js';
import type { Origin } from './formats.js';
import { NotifySource, type EventLookups } from './from-events.js';
import { Outbox, type OutboxStatus } from './outbox.js';
import { findSendmail } from './sendmail.js';
import { secretsOf, targetsFor, type NotifyConfig } from './targets.js';
import { Throttle } from './throttle.js';
import type { NotifyEvent, NotifyMessage, Target, TargetResult } from './types.js';

export interface NotifierOptions {
  config: NotifyConfig;
  clock: Clock;
  logger: Logger;
  origin: Origin;
  /** PATH, to find sendmail. */
  searchPath: string;
  /** Values that must never leave in a message (the API token, known once read); webhook URLs are added. */
  secrets: () => readonly string[];
  lookups: EventLookups;
  /** Jitter source for back-off, [0, 1). */
  random?: () => number;
}

/** A test's sends end by then, whatever notify.timeoutSeconds says: the API closes a request after 30 s. */
const TEST_LIMIT_MS = 20_000;
/** The longest a stop waits for the held digests to go out (systemd gives the whole stop 45 s). */
const FLUSH_GRACE_MS = 10_000;
/** Events offered before start() are kept (a crash notice is offered while starting), up to this many. */
const EARLY_MAX = 100;

export class Notifier {
  /** Turns the agent's recorded events, shard progress and an unclean start into notifications. */
  readonly source: NotifySource;
  private readonly targets: Target[];
  private readonly outboxes: Outbox[];
  private readonly throttle: Throttle;
  private sendmail: string | null = null;
  private started = false;
  private stopped = false;
  private early: NotifyEvent[] = [];

  constructor(private readonly o: NotifierOptions) {
    const urls = secretsOf(o.config);
    const scrub = (text: string) => scrubKnown(text, [...o.secrets(), ...urls]);
    this.targets = targetsFor(o.config, {
      origin: o.origin,
      scrub,
      now: () => o.clock.now(),
      sendmail: () => this.sendmail,
    });
    const tries = o.config.retries + 1;
    this.outboxes = this.targets.map(
      (target) =>
        new Outbox({
          target,
          clock: o.clock,
          logger: o.logger,
          queueSize: o.config.queueSize,
          tries,
          backoff: { baseMs: 5_000, capMs: 5 * 60_000, jitter: 0.2 },
          random: o.random ?? Math.random,
        }),
    );
    this.throttle = new Throttle({
      clock: o.clock,
      windowMs: o.config.windowMinutes * 60_000,
      emit: (m) => this.fanOut(m),
    });
    this.source = new NotifySource({ clock: o.clock, lookups: o.lookups, offer: (e) => this.offer(e) });
  }

  /** True when some target is configured. */
  get enabled(): boolean {
    return this.targets.length > 0;
  }

  async start(): Promise<void> {
    if (this.o.config.mail) {
      this.sendmail = await findSendmail(this.o.config.mail.sendmail, this.o.searchPath);
      if (this.sendmail === null) {
        this.o.logger.warn(
          { configured: this.o.config.mail.sendmail ?? null },
          'notify.mail: no executable sendmail found; mail notifications will fail',
        );
      }
    }
    this.started = true;
    this.o.logger.info({ targets: this.targets.map((t) => t.name) }, 'notifications on');
    for (const e of this.early.splice(0)) this.offer(e);
  }

  /** Hands an event to the throttle. Never throws, never waits on a target. */
  offer(e: NotifyEvent): void {
    if (!this.enabled || this.stopped) return;
    if (!this.started) {
      if (this.early.length < EARLY_MAX) this.early.push(e);
      return;
    }
    try {
      this.throttle.offer(e);
    } catch (err) {
      this.o.logger.error(
        { err: loggable(err), kind: e.kind },
        'notification dropped: it could not be queued',
      );
    }
  }

  /** Sends one test message to every target, once each, and says how each went. */
  async test(): Promise<TargetResult[]> {
    const now = this.o.clock.now();
    const message: NotifyMessage = {
      kind: 'test',
      level: 'info',
      title: 'test notification',
      text: `emb-agent on ${this.o.origin.host} can reach you here (sent by emb-client notify test).`,
      events: [],
      count: 0,
      digest: false,
      at: now,
    };
    return Promise.all(
      this.targets.map(async (t) => {
        const failure = await t.send(message, null, AbortSignal.timeout(TEST_LIMIT_MS));
        if (failure) this.o.logger.warn({ target: t.name, err: failure.error }, 'test notification failed');
        return {
          target: t.name,
          type: t.type,
          ok: failure === null,
          error: failure ? describeError(failure.error) : null,
        };
      }),
    );
  }

  status(): OutboxStatus[] {
    return this.outboxes.map((o) => o.status());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.source.stop();
    // The digests the windows hold would be lost with the process: sent now, each target given one send's
    // time-out (at most FLUSH_GRACE_MS) to take them. Without any, stopping waits for no target.
    const held = this.throttle.flush();
    const graceMs = held ? Math.min(this.o.config.timeoutSeconds * 1000, FLUSH_GRACE_MS) : 0;
    if (held) this.o.logger.info({ held, graceMs }, 'sending the held notification digests before stopping');
    await Promise.all(this.outboxes.map((o) => o.stop(graceMs)));
  }

  private fanOut(m: NotifyMessage): void {
    this.targets.forEach((t, i) => {
      if (m.kind !== 'test' && t.events !== null && !t.events.includes(m.kind)) return;
      this.outboxes[i]?.push(m);
    });
  }
}
