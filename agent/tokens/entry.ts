// One configured collection's live state inside the refresher, and its public status (never the token).
import type { TokenStatus } from '../api/tokens.js';
import type { Timer } from '../clock.js';
import type { CollectionSpec } from './names.js';
import { tokenState } from './plan.js';

export interface Entry {
  spec: CollectionSpec;
  jsonFile: string;
  tokenFile: string;
  /** Expiry of the token on disk; the token itself is not kept in memory. */
  expiryMs: number | null;
  lastRefreshAt: number | null;
  /** When the last request ended, successful or not. */
  lastAttemptAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  nextRefreshAt: number | null;
  cycle: Promise<void> | null;
  refreshTimer: Timer | null;
  expiryTimer: Timer | null;
  /** Event kinds raised since the last success, so each is raised once per outage. */
  alerted: Set<string>;
  shortLifetimeWarned: boolean;
}

export function newEntry(spec: CollectionSpec, jsonFile: string, tokenFile: string): Entry {
  return {
    spec,
    jsonFile,
    tokenFile,
    expiryMs: null,
    lastRefreshAt: null,
    lastAttemptAt: null,
    lastError: null,
    lastErrorAt: null,
    nextRefreshAt: null,
    cycle: null,
    refreshTimer: null,
    expiryTimer: null,
    alerted: new Set(),
    shortLifetimeWarned: false,
  };
}

/** ISO time to the second, as the SAS API writes it. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const iso = (ms: number | null) => (ms === null ? null : isoSeconds(ms));

export function entryStatus(e: Entry, now: number, marginMs: number): TokenStatus {
  return {
    collection: e.spec.id,
    account: e.spec.account,
    container: e.spec.container,
    expiry: iso(e.expiryMs),
    secondsLeft: e.expiryMs === null ? null : Math.max(0, Math.floor((e.expiryMs - now) / 1000)),
    lastRefreshAt: iso(e.lastRefreshAt),
    lastError: e.lastError,
    lastErrorAt: iso(e.lastErrorAt),
    nextRefreshAt: iso(e.nextRefreshAt),
    inFlight: e.cycle !== null,
    state: tokenState({
      now,
      expiryMs: e.expiryMs,
      marginMs,
      lastRefreshAt: e.lastRefreshAt,
      lastErrorAt: e.lastErrorAt,
    }),
    jsonFile: e.jsonFile,
    tokenFile: e.tokenFile,
  };
}
