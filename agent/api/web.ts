// Shapes of the web page's own routes: the one-time login code and a shard folder's history for the chart.
import { z } from 'zod';

/** POST /ui/login-codes (bearer only): a code the browser trades once, within a minute, for a session. */
export const LoginCodeReplySchema = z.object({
  code: z.string(),
  /** Path and query to open on the agent's address: /ui/login?code=... */
  path: z.string(),
  expiresAt: z.string(),
});
export type LoginCodeReply = z.infer<typeof LoginCodeReplySchema>;

/** GET /ui/session: what the page needs to send state-changing requests (its CSRF token). */
export const SessionReplySchema = z.object({
  csrf: z.string(),
  expiresAt: z.string(),
});

/** Epoch milliseconds as plain decimal digits (the same rule as the API's ids). */
const epochMs = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/, { message: 'expected epoch milliseconds as plain decimal digits' })
  .transform(Number);

export const ShardHistoryQuerySchema = z.object({
  /** The folder as GET /shards names it (absolute path). */
  dir: z.string().min(1).max(4096),
  /** Start of the range, epoch ms; default: 24 hours before `to`. */
  from: epochMs.optional(),
  /** End of the range, epoch ms; default: now. */
  to: epochMs.optional(),
  /** At most this many points (default 300, at most 1000): the range is cut into that many buckets. */
  points: z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/, { message: 'expected 1 to 1000' })
    .transform(Number)
    .pipe(z.number().int().min(2).max(1000))
    .default(300),
});

export const ShardPointSchema = z.object({
  /** ISO time of the sample. */
  at: z.string(),
  count: z.number().int(),
  bytes: z.number(),
});

export const ShardHistoryReplySchema = z.object({
  dir: z.string(),
  from: z.string(),
  to: z.string(),
  /** Stored samples in the range before thinning. */
  samples: z.number().int(),
  /** Oldest first; the first and last samples of the range are always kept. */
  points: z.array(ShardPointSchema),
});
export type ShardHistoryReply = z.infer<typeof ShardHistoryReplySchema>;
