// The shape of GET /tokens: one entry per configured Planetary Computer collection. Never carries a token.
import { z } from 'zod';

export const TOKEN_STATES = ['fresh', 'refreshing-soon', 'expired', 'missing', 'error'] as const;
export const TokenStateSchema = z.enum(TOKEN_STATES);
export type TokenState = z.infer<typeof TokenStateSchema>;

// z.object (not strict) strips unknown keys on output: a field added by mistake (a token) is never serialised.
export const TokenStatusSchema = z.object({
  /** As configured: a collection id (`usda-cdl`) or `account/container`. */
  collection: z.string(),
  /** Storage account and container, when known (always for `account/container` entries). */
  account: z.string().nullable(),
  container: z.string().nullable(),
  /** ISO time at which the token on disk stops working (`msft:expiry`), or null when there is none. */
  expiry: z.string().nullable(),
  /** Whole seconds until expiry, 0 once expired, null when there is no token. */
  secondsLeft: z.number().int().nullable(),
  /** ISO time of the last successful fetch (from the file's fetchedAt after a restart). */
  lastRefreshAt: z.string().nullable(),
  /** The last failure, free of any token or signature; kept after a later success (compare the times). */
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  /** ISO time of the next planned request (a schedule tick, expiry minus margin, or a retry). */
  nextRefreshAt: z.string().nullable(),
  /** True while a request (or its retries) is in progress. */
  inFlight: z.boolean(),
  /**
   * fresh: valid and outside the refresh margin; refreshing-soon: inside the margin;
   * error: valid but the last refresh failed; expired: past its expiry; missing: no token yet.
   */
  state: TokenStateSchema,
  /** Files jobs read: `<outDir>/<name>.json` and `<outDir>/<name>.token`. */
  jsonFile: z.string(),
  tokenFile: z.string(),
});
export type TokenStatus = z.infer<typeof TokenStatusSchema>;

export const TokenStatusListSchema = z.array(TokenStatusSchema);
export type TokenStatusList = z.infer<typeof TokenStatusListSchema>;
