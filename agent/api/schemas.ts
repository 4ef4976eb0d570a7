// The HTTP API's request and response shapes, shared by the agent's routes and by emb-client.
import { z } from 'zod';
import { DiagnosisSchema } from './diagnosis.js';
import { PreflightOptionsSchema } from '../preflight/options.js';
import type { TaskGroup as SharedTaskGroup } from '../../shared/task-groups.js';

/** Ids as Slurm prints them: plain decimal, no leading zero (a job id fits 32 bits, an array index 7 digits). */
const JOB = '[1-9][0-9]{0,9}';
const INDEX = '(?:0|[1-9][0-9]{0,6})';
const SUBMISSION = '[1-9][0-9]{0,15}';

export const TASK_STATES = [
  'queued',
  'running',
  'done',
  'resuming',
  'failed',
  'stalled',
  'exhausted',
  'held',
] as const;
export const TaskStateSchema = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof TaskStateSchema>;

export const ErrorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const TaskSchema = z.object({
  index: z.number().int(),
  state: TaskStateSchema,
  attempts: z.number().int(),
  /** The latest attempt's job id as Slurm writes it, e.g. "1234_7". */
  jobId: z.string().nullable(),
  diagnosis: DiagnosisSchema,
  reason: z.string().nullable(),
  held: z.boolean(),
  updatedAt: z.string(),
  /** Slurm's reason while the latest attempt is pending (Resources, Priority, BeginTime...), as squeue says. */
  pending: z.string().optional(),
});
export type Task = z.infer<typeof TaskSchema>;

export const MarkersSchema = z.object({
  doneMarker: z.string().nullable(),
  progress: z.string().nullable(),
  checkpointRegex: z.string().nullable(),
  maxAttempts: z.number().int().nullable(),
  resume: z.boolean(),
  /** The path patterns as absolute paths, where the agent looks (relative ones hang off cwd). */
  resolved: z.object({ doneMarker: z.string().nullable(), progress: z.string().nullable() }),
});

/** A submission the agent keeps back until its prerequisites are done (submit --after, pipeline steps). */
export const WaitingSchema = z.object({
  /** waiting (not sent yet), sending, sent (the job id is the submission's), dropped (cancelled unsent). */
  state: z.enum(['waiting', 'sending', 'sent', 'dropped']),
  /** The prerequisite submissions. */
  after: z.array(z.number().int()),
  /** What it waits for, or why it is stuck (a prerequisite failed, the send was refused). */
  reason: z.string(),
  /** A prerequisite failed, stalled or exhausted: only release or cancel moves it on. */
  blocked: z.boolean(),
  released: z.boolean(),
});
export type Waiting = z.infer<typeof WaitingSchema>;

export const SubmissionSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  origin: z.enum(['submit', 'adopt']),
  /** The job id of the first sbatch. */
  jobId: z.string(),
  cwd: z.string(),
  args: z.array(z.string()),
  arraySpec: z.string().nullable(),
  throttle: z.number().int().nullable(),
  markers: MarkersSchema,
  held: z.boolean(),
  recipeNotes: z.array(z.string()),
  createdAt: z.string(),
  counts: z.record(z.string(), z.number().int()),
  tasks: z.array(TaskSchema),
  /** client: the submitting shell's environment; agent: the agent user's (sent from another host). */
  environment: z.enum(['client', 'agent']).optional(),
  /** When `emb-client archive` hid it from `ls` (`ls --all` shows it); absent while listed. */
  archivedAt: z.string().optional(),
  /** Only for a submission kept back by --after or a pipeline (jobId is '' until it is sent). */
  waiting: WaitingSchema.optional(),
});
export type Submission = z.infer<typeof SubmissionSchema>;
export const SubmissionListSchema = z.array(SubmissionSchema);

/** A run of tasks as `ls` shows them (shared/task-groups.ts builds it on both sides). */
export const TaskGroupSchema = z.object({
  first: z.number().int(),
  last: z.number().int(),
  state: TaskStateSchema,
  held: z.boolean(),
  diagnosis: z.object({ cause: z.string(), hint: z.string() }).nullable(),
  /** squeue's pending reason, for a queued group. */
  pending: z.string().nullable(),
  attempts: z.object({ min: z.number().int(), max: z.number().int() }),
  /** The latest job ids in Slurm's range notation: ["777", "1500_[8-9]", "1600_10"]. */
  jobs: z.array(z.string()),
  /** Tasks with no job id yet. */
  unsubmitted: z.number().int(),
});
export type TaskGroup = z.infer<typeof TaskGroupSchema>;
// The schema and shared/task-groups.ts describe one shape: each must be assignable to the other.
type SameGroup = [TaskGroup, SharedTaskGroup<TaskState>] extends [SharedTaskGroup<TaskState>, TaskGroup]
  ? true
  : never;
const _sameGroup: SameGroup = true;
void _sameGroup;

/**
 * GET /submissions?view=summary (the human `ls`): each submission without its tasks, with `taskCount` (the
 * tasks listed, after a state filter) and the tasks' `groups` instead: a few hundred bytes, not 160 per task.
 */
export const SubmissionSummarySchema = SubmissionSchema.omit({ tasks: true }).extend({
  taskCount: z.number().int(),
  groups: z.array(TaskGroupSchema),
});
export type SubmissionSummary = z.infer<typeof SubmissionSummarySchema>;
export const SubmissionSummaryListSchema = z.array(SubmissionSummarySchema);
/** GET /submissions: the full list, or with view=summary the summaries. */
export const ListReplySchema = z.union([SubmissionListSchema, SubmissionSummaryListSchema]);

export const AttemptSchema = z.object({
  jobId: z.string(),
  slurmState: z.string(),
  stateDetail: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  exitSignal: z.number().int().nullable(),
  submittedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  stdoutPath: z.string().nullable(),
  checkpointSeen: z.boolean(),
  decision: z.string().nullable(),
  /** Where it ran, as squeue's NODELIST prints it; null until it started. */
  node: z.string().nullable().optional(),
  /** The time limit in minutes (null: UNLIMITED or not known). */
  timeLimitMinutes: z.number().int().nullable().optional(),
});

export const EventSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  kind: z.string(),
  submissionId: z.number().int().nullable(),
  taskId: z.number().int().nullable(),
  jobId: z.string().nullable(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type ApiEvent = z.infer<typeof EventSchema>;
export const EventListSchema = z.array(EventSchema);

export const TaskDetailSchema = TaskSchema.extend({ history: z.array(AttemptSchema) });
export const SubmissionDetailSchema = SubmissionSchema.extend({
  tasks: z.array(TaskDetailSchema),
  events: z.array(EventSchema),
});
export type SubmissionDetail = z.infer<typeof SubmissionDetailSchema>;

/** No argv word, path or environment entry can hold a NUL byte: refused here, with the field named. */
const noNul = z.string().refine((v) => !v.includes('\0'), { message: 'must not contain a NUL byte' });
const absolutePath = noNul.refine((p) => p.startsWith('/'), { message: 'must be an absolute path' });

export const SubmitBodySchema = z.strictObject({
  /** sbatch arguments, without "sbatch": options, then the script and its arguments. */
  args: z.array(noNul).min(1, { message: 'give at least the batch script' }),
  /** The job's working directory: the client's own, or `--chdir DIR` from another host. */
  cwd: absolutePath,
  /**
   * The submitting shell's environment, from a client on the agent's host only. Absent: the job gets the
   * agent user's environment (a laptop's HOME, USER and PATH mean nothing on the cluster).
   */
  env: z.record(noNul, noNul).optional(),
  /** Where the client runs: over TCP an environment is taken only from a client on the agent's host and uid. */
  client: z.strictObject({ host: z.string().max(255), uid: z.number().int() }).optional(),
  doneMarker: z.string().min(1).optional(),
  progress: z.string().min(1).optional(),
  checkpointRegex: z
    .string()
    .min(1)
    .refine(
      (re) => {
        try {
          new RegExp(re);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a valid regular expression' },
    )
    .optional(),
  maxAttempts: z.number().int().positive().optional(),
  resume: z.boolean().optional(),
  /** --no-preflight REASON, --fit-time, --target N (agent/preflight/). */
  preflight: PreflightOptionsSchema.optional(),
  /**
   * --after X: kept back until every task of each named submission is done (a job id of any of its
   * submissions or resubmissions, or #SUBMISSION).
   */
  after: z
    .array(
      z.string().regex(new RegExp(`^(${JOB}(_${INDEX})?|#${SUBMISSION})$`), {
        message: 'expected a job id (1234, 1234_7) or #SUBMISSION',
      }),
    )
    .max(100)
    .optional(),
});
export type SubmitBody = z.infer<typeof SubmitBodySchema>;

/** Where the markers resolved to, and what looks wrong about them (a folder that does not exist). */
const MarkerReport = {
  markers: z.object({ doneMarker: z.string().nullable(), progress: z.string().nullable() }),
  warnings: z.array(z.string()),
};

export const SubmitReplySchema = z.object({
  /** null: sbatch accepted the job but the database could not record it (a warning says so); the id stands. */
  submissionId: z.number().int().nullable(),
  /** Which environment the jobs get: the client's own, or the agent user's. */
  environment: z.enum(['client', 'agent']).optional(),
  /** '' while the submission waits (--after): `waiting` says for what. */
  jobId: z.string(),
  waiting: WaitingSchema.optional(),
  ...MarkerReport,
});

export const AdoptBodySchema = z.strictObject({
  jobId: z.string().regex(new RegExp(`^${JOB}$`), {
    message: 'a Slurm job id is a number, e.g. 1234, in plain decimal (the array id for an array)',
  }),
  /** Slurm does not record the submitting environment; the caller's stands in for resubmissions. */
  env: z.record(noNul, noNul).optional(),
  // The same markers as submit: an adopted job is resumed by the same contract.
  ...SubmitBodySchema.pick({
    doneMarker: true,
    progress: true,
    checkpointRegex: true,
    maxAttempts: true,
    resume: true,
  }).shape,
});
export const AdoptReplySchema = z.object({
  submissionId: z.number().int(),
  jobId: z.string(),
  tasks: z.number().int(),
  notes: z.array(z.string()),
  ...MarkerReport,
});

export const HealthSchema = z.object({
  ok: z.boolean(),
  version: z.string(),
  host: z.string(),
  /** The agent's uid: a client elsewhere (another host or user) sends no environment (submit). */
  uid: z.number().int().optional(),
  pid: z.number().int(),
  startedAt: z.string(),
  listen: z.string(),
  scheduler: z.object({
    available: z.boolean(),
    version: z.string().nullable(),
    /** Whether that release is supported and tested (docs/slurm-versions.md). */
    support: z.string().nullable(),
    lastPollAt: z.string().nullable(),
    lastError: z.string().nullable(),
    liveJobs: z.number().int(),
  }),
  db: z.object({
    /** A write just succeeded; false when the database cannot be written (full disk, read-only). */
    writable: z.boolean(),
    writeError: z.string().nullable(),
    path: z.string(),
    journal: z.string(),
    schemaVersion: z.number().int(),
  }),
  /** SAS tokens whose refresh is failing (expired, or the last refresh failed); health is not ok meanwhile. */
  tokens: z
    .object({
      failing: z.array(
        z.object({ collection: z.string(), state: z.string(), lastError: z.string().nullable() }),
      ),
    })
    .optional(),
  /**
   * Each notification target (mail, webhooks) since start: sent, queued, given up on (failed), dropped from a
   * full queue, and its last error. Failing notifications do not make health not ok: the agent still works.
   */
  notify: z
    .object({
      targets: z.array(
        z.object({
          target: z.string(),
          queued: z.number().int(),
          sent: z.number().int(),
          failed: z.number().int(),
          dropped: z.number().int(),
          lastError: z.string().nullable(),
        }),
      ),
    })
    .optional(),
  /** Who holds the lease, and which agents stand by to take over (`emb-agent run --standby`). */
  lease: z
    .object({
      holder: z.string().nullable(),
      standby: z.array(
        z.object({ host: z.string(), pid: z.number().int(), since: z.string(), heartbeatAt: z.string() }),
      ),
    })
    .optional(),
});
export type Health = z.infer<typeof HealthSchema>;

/**
 * A number in a path or query: plain decimal as Slurm prints ids. Number() would take 0x10, 1e3, +5, " 5" or
 * "" (as 0); leading zeros are refused too, since "007" names no id the agent ever printed.
 */
function decimal(min: number) {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, {
      message: 'expected a plain decimal number (no sign, 0x, exponent or leading 0)',
    })
    .transform(Number)
    .pipe(z.number().int().min(min).max(Number.MAX_SAFE_INTEGER));
}

export const IdParamsSchema = z.object({ id: decimal(1) });

/** GET /submissions: ls --state S --name N --since T [--all]. */
export const ListQuerySchema = z.object({
  /**
   * Only the tasks in this state (and the submissions that have one); `waiting`: the submissions kept back
   * by --after or a pipeline that are not sent yet (they have no task).
   */
  state: z.union([TaskStateSchema, z.literal('waiting')]).optional(),
  /** Only submissions whose job name contains this text. */
  name: z.string().min(1).max(200).optional(),
  /** Only submissions made at or after this time (ISO 8601 with a zone, e.g. 2026-12-01T06:00:00Z). */
  since: z.iso.datetime({ offset: true }).optional(),
  /** Archived submissions too. */
  all: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  /** full (the default): every task; summary: SubmissionSummary, the tasks as `ls` groups them. */
  view: z.enum(['full', 'summary']).optional(),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;
export const EventsQuerySchema = z.object({
  submission: decimal(1).optional(),
  after: decimal(0).optional(),
  limit: decimal(1).pipe(z.number().max(1000)).default(100),
});

/**
 * What hold/release/resubmit act on: a job id as Slurm writes it ("1234" for the submission that
 * sbatch numbered 1234, "1234_7" for one task), or "#12" / "#12:7" for submission 12 (task 7).
 */
export const TargetBodySchema = z.strictObject({
  target: z.string().regex(new RegExp(`^(${JOB}(_${INDEX})?|#${SUBMISSION}(:${INDEX})?)$`), {
    message: 'expected a job id (1234, 1234_7) or #SUBMISSION[:INDEX]',
  }),
  /** resubmit only: also a task that is done. */
  force: z.boolean().optional(),
});
export const TargetReplySchema = z.object({
  submissionId: z.number().int(),
  indices: z.array(z.number().int()),
  message: z.string(),
});

/** GET /jobs/:jobId: which submission (and task) a Slurm job id belongs to. */
export const JobParamsSchema = z.object({
  jobId: z.string().regex(new RegExp(`^${JOB}(_${INDEX})?$`), {
    message: 'expected a Slurm job id: 1234 or 1234_7',
  }),
});
export const JobRefSchema = z.object({ submissionId: z.number().int(), index: z.number().int().nullable() });
export type JobRefReply = z.infer<typeof JobRefSchema>;

/** GET /logs: the end of a task's log (its latest attempt's stdout), secrets scrubbed. */
export const LogsQuerySchema = z.object({
  target: TargetBodySchema.shape.target,
  bytes: decimal(1).pipe(z.number().max(1_048_576)).default(65_536),
  /** Which attempt (1 = the first); default: the one the target names (its own job id), else the latest. */
  attempt: z.coerce.number().int().positive().optional(),
});
export const LogsReplySchema = z.object({
  target: z.string(),
  text: z.string(),
  /** The attempt shown, its job id, how many the task has, and the files read (stdout, then stderr). */
  attempt: z.number().int().optional(),
  attempts: z.number().int().optional(),
  jobId: z.string().optional(),
  paths: z.array(z.string()).optional(),
});
