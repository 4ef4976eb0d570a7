// What a refresh's outcome means for a collection: its recorded state, the log line, and the events users
// see (each raised once per outage: inside the margin and failing, expired, refused; then recovered).
import { scrubSecrets, type Logger } from '../log.js';
import { isoSeconds, type Entry } from './entry.js';
import type { SasFetchError } from './sas-client.js';
import type { EventSink, TokenEvent } from './types.js';

export class Outcomes {
  constructor(
    private readonly logger: Logger,
    private readonly onEvent: EventSink,
    private readonly marginSeconds: number,
  ) {}

  success(e: Entry, expiryMs: number, fetchedAt: number): void {
    const { id } = e.spec;
    e.expiryMs = expiryMs;
    e.lastRefreshAt = fetchedAt;
    const secondsLeft = Math.floor((expiryMs - fetchedAt) / 1000);
    this.logger.info({ collection: id, expiry: isoSeconds(expiryMs), secondsLeft }, 'refreshed SAS token');
    if (e.alerted.size) {
      e.alerted.clear();
      this.emit(
        { level: 'info', kind: 'token-recovered', message: `SAS token for ${id} refreshed again` },
        id,
      );
    }
    if (!e.shortLifetimeWarned && secondsLeft <= this.marginSeconds) {
      e.shortLifetimeWarned = true;
      const message = `SAS tokens for ${id} live ${secondsLeft} s, less than tokens.refreshMarginSeconds (${this.marginSeconds}); lower the margin`;
      this.logger.warn({ collection: id, secondsLeft }, message);
      // Not an outage: emitted directly so the next success does not announce a recovery.
      this.emit({ level: 'warn', kind: 'token-short-lifetime', message }, id);
    }
  }

  failure(e: Entry, err: SasFetchError, now: number): void {
    const { id } = e.spec;
    const why = scrubSecrets(err.message);
    e.lastError = why;
    e.lastErrorAt = now;
    this.logger.warn(
      { collection: id, kind: err.kind, httpStatus: err.httpStatus, retryAfterMs: err.retryAfterMs },
      `SAS token refresh failed: ${why}`,
    );
    if (err.kind === 'refused') this.raise(e, 'error', 'token-refresh-refused', why);
    if (e.expiryMs === null) {
      this.raise(e, 'warn', 'token-refresh-failing', `no SAS token for ${id} yet: ${why}`);
    } else if (e.expiryMs <= now) {
      this.raise(
        e,
        'error',
        'token-expired',
        `SAS token for ${id} expired at ${isoSeconds(e.expiryMs)}: ${why}`,
      );
    } else if (e.expiryMs - this.marginSeconds * 1000 <= now) {
      const left = Math.floor((e.expiryMs - now) / 1000);
      const message = `SAS token for ${id} expires in ${left} s (${isoSeconds(e.expiryMs)}) and could not be refreshed: ${why}`;
      this.raise(e, 'warn', 'token-refresh-failing', message);
    }
  }

  /** The expiry alarm: the token on disk has just expired without a replacement. */
  expired(e: Entry, now: number): void {
    if (e.expiryMs === null || e.expiryMs > now) return;
    const why = e.lastError ? `: ${e.lastError}` : '';
    const message = `SAS token for ${e.spec.id} expired at ${isoSeconds(e.expiryMs)} and no new one could be fetched${why}`;
    this.logger.error({ collection: e.spec.id }, message);
    this.raise(e, 'error', 'token-expired', message);
  }

  private raise(e: Entry, level: TokenEvent['level'], kind: string, message: string): void {
    if (e.alerted.has(kind)) return;
    e.alerted.add(kind);
    this.emit({ level, kind, message }, e.spec.id);
  }

  private emit(event: Omit<TokenEvent, 'data'>, collection: string): void {
    this.onEvent({ ...event, message: scrubSecrets(event.message), data: { collection } });
  }
}
