// The config file's schema. Every object is strict so an unknown key is refused with its path.
import { z } from 'zod';
import { PreflightConfigSchema } from '../preflight/config.js';

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires at once, in a loop. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const timerLimit = {
  message: `must be at most ${MAX_TIMER_SECONDS} s (Node's timer limit, about 24 days)`,
};
const positiveSeconds = z.number().positive().max(MAX_TIMER_SECONDS, timerLimit);
/** Intervals that drive a loop: below a second they would keep the agent (and Lustre, and Slurm) busy. */
const intervalSeconds = z
  .number()
  .min(1, { message: 'must be at least 1 s' })
  .max(MAX_TIMER_SECONDS, timerLimit);
const count = (max: number) => z.number().int().positive().max(max);

const ListenSchema = z.string().regex(/^(unix:\/.+|\[?[0-9a-fA-F:.]+\]?:\d{1,5}|localhost:\d{1,5})$/, {
  message: 'expected "HOST:PORT" (e.g. 127.0.0.1:8787) or "unix:/absolute/path"',
});

/** A folder, "parent/*" (each sub-folder), and either with "/**" (their sub-folders at any depth too). */
const ShardPathSchema = z
  .string()
  .min(1)
  .refine((p) => !p.replace(/\/\*(?:\/\*\*)?$|\/\*\*$/, '').includes('*'), {
    message: 'a "*" only as the last parts: "dir", "dir/*", "dir/**" or "dir/*/**"',
  });

const ShardDirSchema = z.union([
  ShardPathSchema,
  z.strictObject({
    path: ShardPathSchema,
    /** Shard count at which the build is complete; enables an ETA. */
    target: z.number().int().positive().optional(),
    /** Glob for shard file names, matched against names only. */
    pattern: z.string().min(1).optional(),
  }),
]);

export const JobDefaultsSchema = z.strictObject({
  doneMarker: z.string().min(1).optional(),
  progress: z.string().min(1).optional(),
  checkpointRegex: z.string().min(1).optional(),
  maxAttempts: z.number().int().positive().optional(),
  resume: z.boolean().optional(),
});

const RuleSchema = z.strictObject({
  cause: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'cause ids are lower-case words joined by "-"' }),
  pattern: z.string().min(1),
  flags: z
    .string()
    .regex(/^[imsu]*$/)
    .optional(),
  hint: z.string().min(1),
});

/** What a notification target can be told about; a target without `events` hears all of them. */
export const NOTIFY_KINDS = [
  'failed',
  'stalled',
  'exhausted',
  'done',
  'blocked',
  'shards',
  'token',
  'crash',
] as const;
const NotifyEventsSchema = z.array(z.enum(NOTIFY_KINDS)).min(1).optional();

export const WebhookSchema = z.strictObject({
  /** A secret (whoever has it can post, or read an ntfy topic): never logged or shown whole. */
  url: z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' }),
  /** json: the event as JSON; slack: {"text"} (Slack, Mattermost, Rocket.Chat); ntfy: plain text + headers. */
  format: z.enum(['json', 'slack', 'ntfy']).default('json'),
  events: NotifyEventsSchema,
  /** How logs and `emb-client notify test` name it (default: its format and host). */
  name: z.string().min(1).max(60).optional(),
});

export const NotifySchema = z.strictObject({
  webhooks: z.array(WebhookSchema).max(20).default([]),
  mail: z
    .strictObject({
      // Addresses only: each becomes a sendmail argument, so none may look like an option.
      to: z.array(z.email()).min(1),
      from: z.email().optional(),
      /** Default: `sendmail` on PATH, else /usr/sbin/sendmail or /usr/lib/sendmail. */
      sendmail: z.string().regex(/^\//, 'must be an absolute path').optional(),
      events: NotifyEventsSchema,
    })
    .optional(),
  /** One message per submission (or folder, collection) and kind in this window; a digest of the rest. */
  windowMinutes: z
    .number()
    .positive()
    .max(24 * 60)
    .default(30),
  timeoutSeconds: positiveSeconds.default(10),
  /** Tries per message before it is given up (429 and 5xx answers, time-outs, refused connections). */
  retries: z.number().int().nonnegative().max(20).default(5),
  /** Messages waiting per target; beyond it the oldest are dropped and counted. */
  queueSize: count(10_000).default(100),
});

export const ConfigSchema = z.strictObject({
  workRoot: z.string().min(1).optional(),
  stateDir: z.string().min(1).optional(),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
    })
    .prefault({}),
  api: z
    .strictObject({
      /** Default: a unix socket in a 0700 folder of the user's (shared/socket-path.ts), never a shared port. */
      listen: ListenSchema.optional(),
      /** Listening beyond loopback exposes the API to the whole network; it must be asked for. */
      allowNonLoopback: z.boolean().default(false),
      tokenFile: z.string().min(1).optional(),
    })
    .prefault({}),
  slurm: z
    .strictObject({
      pollSeconds: intervalSeconds.default(60),
      commandTimeoutSeconds: positiveSeconds.default(30),
      /** Folder holding sbatch/squeue/sacct/scancel/scontrol; default: found on PATH. */
      binDir: z.string().min(1).optional(),
    })
    .prefault({}),
  watch: z
    .strictObject({
      /** Shard folders: polled by folder mtime, this often. */
      pollSeconds: intervalSeconds.default(30),
      /**
       * Logs of live tasks (one stat each per interval, a few dozen files at most): often enough that a
       * checkpoint line is seen within seconds and the resume does not wait for the next scheduler cycle.
       */
      logPollSeconds: intervalSeconds.default(5),
      /** auto: events on local filesystems, polling on Lustre/NFS/GPFS/BeeGFS. */
      mode: z.enum(['auto', 'poll', 'events']).default('auto'),
      logsDir: z.string().min(1).default('logs'),
      shardDirs: z.array(ShardDirSchema).default(['outputs/shards/*']),
      shardPattern: z.string().min(1).default('*.tar'),
      purgeDays: z.number().positive().max(3650).default(21),
      rateWindowMinutes: z
        .number()
        .positive()
        .max(Math.floor(MAX_TIMER_SECONDS / 60))
        .default(60),
    })
    .prefault({}),
  diagnose: z
    .strictObject({
      rules: z.array(RuleSchema).default([]),
    })
    .prefault({}),
  resume: z
    .strictObject({
      maxAttempts: count(10_000).default(20),
      budgetPerHour: count(100_000).default(60),
      batchWindowSeconds: z.number().nonnegative().max(MAX_TIMER_SECONDS, timerLimit).default(5),
      checkpointRegex: z.string().min(1).optional(),
      jobDefaults: z.record(z.string(), JobDefaultsSchema).default({}),
    })
    .prefault({}),
  preflight: PreflightConfigSchema,
  tokens: z
    .strictObject({
      // http(s) only: a file:// base would have the agent read (and write into token files) a local file.
      apiBase: z
        .url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' })
        .default('https://planetarycomputer.microsoft.com/api/sas/v1'),
      collections: z.array(z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)?$/)).default([]),
      outDir: z.string().min(1).optional(),
      // Tokens live 45 min to 24 h: a margin of a day or more would refresh without end.
      refreshMarginSeconds: z.number().nonnegative().max(86_399).default(900),
      refreshCron: z.string().min(1).default('*/10 * * * *'),
      subscriptionKeyFile: z.string().min(1).optional(),
      requestTimeoutSeconds: positiveSeconds.default(30),
    })
    .prefault({}),
  lease: z
    .strictObject({
      ttlSeconds: intervalSeconds.default(90),
      heartbeatSeconds: intervalSeconds.default(20),
    })
    .prefault({}),
  notify: NotifySchema.prefault({}),
  metrics: z
    .strictObject({
      /**
       * Also write the agent's metrics to this file (absolute, ending in .prom) for node-exporter's textfile
       * collector, where nobody may scrape the login node: e.g. /var/lib/node_exporter/textfile/emb-$USER.prom.
       */
      textfile: z
        .string()
        .regex(/^\/.*\.prom$/, 'must be an absolute path ending in .prom (node_exporter reads only *.prom)')
        .optional(),
      textfileIntervalSeconds: positiveSeconds.default(60),
    })
    .prefault({}),
});

export type ParsedConfig = z.output<typeof ConfigSchema>;
