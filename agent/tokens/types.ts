// Types shared by the token refresher's parts: the event sink, the file record jobs read, the service's deps.
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';

export interface TokenEvent {
  level: 'info' | 'warn' | 'error';
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}

/** Where the refresher reports what users must see (the lead wires it to the events table). */
export type EventSink = (event: TokenEvent) => void;

/** The `<outDir>/<name>.json` document. The one place a token is stored. */
export const TokenFileSchema = z.strictObject({
  collection: z.string().min(1),
  account: z.string().nullable(),
  container: z.string().nullable(),
  token: z.string().min(1),
  expiry: z.iso.datetime({ offset: true }),
  /** The same instant as `expiry`, in Unix seconds, for shell scripts (`[ "$(date +%s)" -lt "$exp" ]`). */
  expiryEpoch: z.number().int(),
  fetchedAt: z.iso.datetime({ offset: true }),
});
export type TokenFile = z.infer<typeof TokenFileSchema>;

export interface BackoffPolicy {
  /** Delay after the first failure; doubles with each further failure. */
  baseMs: number;
  /** No backoff delay exceeds this (jitter included). */
  capMs: number;
  /** Fraction (0..1) shaved at random off each delay so many agents do not retry in step. */
  jitter: number;
  /** Attempts per refresh cycle; afterwards the next schedule tick (or capMs later) tries again. */
  maxAttempts: number;
}

export interface TokenRefresherDeps {
  config: Config['tokens'];
  clock: Clock;
  logger: Logger;
  onEvent: EventSink;
  /** Called for every failed token request, retries included (metrics count them per collection). */
  onRefreshFailed?: (collection: string) => void;
  /** Source of jitter, [0, 1). Default Math.random; tests pass a constant. */
  random?: () => number;
  /** Overrides of the default backoff (2 s doubling to 5 min, 20 % jitter, 8 attempts). */
  backoff?: Partial<BackoffPolicy>;
}
