// Pure decisions of the refresher: when a collection's next request is due, and what state it is in.
import type { TokenState } from '../api/tokens.js';

export interface PlanInput {
  now: number;
  /** Next schedule tick after now, or null when the schedule has none within its horizon. */
  cronNext: number | null;
  /** Expiry of the token held, or null when there is none. */
  expiryMs: number | null;
  marginMs: number;
  /** When the last request ended (success or failure), or null if none was made since start. */
  lastAttemptAt: number | null;
  /**
   * Least time between a request and an expiry-driven one. Keeps a token whose whole lifetime is shorter
   * than the margin, or an API that keeps failing, from being asked in a loop; the schedule is not held by it.
   */
  minGapMs: number;
  /** The held token's whole lifetime (expiry minus when it was fetched), or null when none is held. */
  lifetimeMs?: number | null;
  /** No request before this (a 429's wait), or null. */
  notBefore: number | null;
}

/** A floor below this would let a token of a few seconds turn the refresher into a loop. */
const MIN_GAP_FLOOR_MS = 10_000;

/**
 * The least time between requests: minGapMs, but never more than a third of the held token's lifetime, so
 * a short-lived token (90 s) is replaced before it expires, with room for two tries, while the API answers.
 */
export function gapFor(p: Pick<PlanInput, 'minGapMs' | 'lifetimeMs'>): number {
  if (p.lifetimeMs == null || !(p.lifetimeMs > 0)) return p.minGapMs;
  return Math.min(p.minGapMs, Math.max(MIN_GAP_FLOOR_MS, Math.floor(p.lifetimeMs / 3)));
}

/** When the next request is due: the schedule tick or expiry minus the margin, whichever is first. */
export function nextRefreshAt(p: PlanInput): number {
  const gapFloor = p.lastAttemptAt === null ? -Infinity : p.lastAttemptAt + gapFor(p);
  // A missing token is due at once (or a gap after a failed try); a held one at expiry minus the margin.
  const urgent =
    p.expiryMs === null ? Math.max(p.now, gapFloor) : Math.max(p.expiryMs - p.marginMs, gapFloor);
  const due = Math.min(urgent, p.cronNext ?? Infinity);
  return Math.max(due, p.now, p.notBefore ?? -Infinity);
}

export interface StateInput {
  now: number;
  expiryMs: number | null;
  marginMs: number;
  lastRefreshAt: number | null;
  lastErrorAt: number | null;
}

/**
 * missing: no token; expired: past its expiry; error: valid but the latest request failed;
 * refreshing-soon: valid, inside the margin; fresh: valid, outside it.
 */
export function tokenState(s: StateInput): TokenState {
  if (s.expiryMs === null) return 'missing';
  if (s.expiryMs <= s.now) return 'expired';
  if (s.lastErrorAt !== null && (s.lastRefreshAt === null || s.lastErrorAt >= s.lastRefreshAt))
    return 'error';
  if (s.expiryMs - s.marginMs <= s.now) return 'refreshing-soon';
  return 'fresh';
}
