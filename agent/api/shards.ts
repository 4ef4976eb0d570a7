// Shard folder progress as the API returns it (`emb-client shards`).
import { z } from 'zod';

export const ShardTaskSchema = z.object({
  /** Array index parsed from shard names. */
  index: z.number().int(),
  count: z.number().int(),
  bytes: z.number(),
});

export const ShardPurgeSchema = z.object({
  /** The work area's purge age (watch.purgeDays). */
  purgeDays: z.number(),
  /** Files older than this many days are reported (purgeDays - 3). */
  warnAfterDays: z.number(),
  /** How many files are older than warnAfterDays. */
  count: z.number().int(),
  oldestAgeDays: z.number(),
});

export const ShardStatusSchema = z.object({
  /** Absolute folder path. */
  dir: z.string(),
  /** The configured "parent/*" entry this folder was found under, or null for a folder listed by itself. */
  group: z.string().nullable(),
  /** The folder does not exist (yet): not an error. */
  missing: z.boolean(),
  /** Why the folder could not be read, if it could not. */
  error: z.string().nullable(),
  count: z.number().int(),
  bytes: z.number(),
  /** Shards counted but not yet statted (bytes is a lower bound until this is 0). */
  bytesPending: z.number().int(),
  target: z.number().int().nullable(),
  /** New shards per hour over watch.rateWindowMinutes; null until there is a long enough history. */
  ratePerHour: z.number().nullable(),
  /** Seconds until `target` at the current rate; 0 when reached; null without a target or a positive rate. */
  etaSeconds: z.number().nullable(),
  perTask: z.array(ShardTaskSchema),
  oldestAgeDays: z.number().nullable(),
  /** Files nearing the work area's purge age, or null when there are none. */
  purge: ShardPurgeSchema.nullable(),
  lastScanAt: z.string().nullable(),
  /** When count or bytes last changed (as seen by the agent). */
  lastChangeAt: z.string().nullable(),
});

export const ShardStatusListSchema = z.array(ShardStatusSchema);

export type ShardStatus = z.infer<typeof ShardStatusSchema>;
export type ShardTask = z.infer<typeof ShardTaskSchema>;
