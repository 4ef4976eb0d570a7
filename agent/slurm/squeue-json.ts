// squeue --json (and scontrol show job --json, same schema), 21.08 to 25.11. Not the default path: on
// 22.05 `squeue --json` ignores every filter and dumps the whole cluster's queue, so the adapter only
// uses it on 23.02+ when asked to, and always filters the records itself.
//   stdout: up to v0.0.42 `standard_output` is what slurmctld holds (on 22.05 the raw pattern, later
//   mostly expanded); from v0.0.43 it is the raw pattern and `stdout_expanded` the resolved path.
import { z } from 'zod';
import { classifyFailure, SchedulerError } from './errors.js';
import { expandTaskSpec } from './job-id.js';
import {
  ExitCodeValue,
  exitStatus,
  JobIdNumber,
  JsonErrors,
  Meta,
  num,
  NumberLike,
  StateValue,
} from './json-shapes.js';
import {
  emptyRecord,
  expandRemainder,
  shareArrayThrottle,
  outputError,
  positive,
  textOrNull,
} from './records.js';
import { parseStateJson } from './state.js';
import { pickStdPaths, resolvePrintedStdPath, type StdPathContext, type StdPathRules } from './std-path.js';
import { TERMINAL_STATES, type JobRecord } from './types.js';

const Job = z.object({
  job_id: JobIdNumber,
  name: z.string().nullish(),
  user_name: z.string().nullish(),
  array_job_id: NumberLike.optional(),
  array_task_id: NumberLike.optional(),
  array_task_string: z.string().nullish(),
  array_max_tasks: NumberLike.optional(),
  het_job_id: NumberLike.optional(),
  het_job_offset: NumberLike.optional(),
  job_state: StateValue,
  state_reason: z.string().nullish(),
  exit_code: ExitCodeValue.optional(),
  submit_time: NumberLike.optional(),
  start_time: NumberLike.optional(),
  end_time: NumberLike.optional(),
  time_limit: NumberLike.optional(),
  current_working_directory: z.string().nullish(),
  comment: z.string().nullish(),
  submit_line: z.string().nullish(),
  standard_output: z.string().nullish(),
  standard_error: z.string().nullish(),
  stdout_expanded: z.string().nullish(),
  stderr_expanded: z.string().nullish(),
});
type Job = z.infer<typeof Job>;

const Doc = z.object({ meta: Meta, errors: JsonErrors, jobs: z.array(z.unknown()) });

/**
 * With `user`, jobs of other users are dropped: some versions answer `squeue --json --user=U` with the
 * whole queue (22.05 ignores every filter).
 */
export function parseSqueueJson(stdout: string, opts: { user?: string | null } = {}): JobRecord[] {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch (err) {
    throw outputError('squeue', null, `not JSON (${(err as Error).message})`, stdout.slice(0, 200));
  }
  const doc = Doc.safeParse(raw);
  if (!doc.success) throw outputError('squeue', null, 'no "jobs" list in the JSON document');
  const errors = doc.data.errors ?? [];
  if (errors.length > 0 && doc.data.jobs.length === 0) {
    const text = errors.map((e) => e.description ?? e.error ?? 'error').join('; ');
    const kind = classifyFailure({
      command: 'squeue',
      stderr: text,
      exitCode: null,
      timedOut: false,
      signal: null,
      errno: null,
    });
    throw new SchedulerError(kind, { command: 'squeue', reason: text, stderr: text });
  }
  const records: JobRecord[] = [];
  doc.data.jobs.forEach((item, i) => {
    const job = Job.safeParse(item);
    if (!job.success) {
      const issue = job.error.issues[0];
      const where = issue === undefined ? '' : ` (${issue.path.join('.')}: ${issue.message})`;
      throw outputError('squeue', null, `jobs[${i}] is not a job record${where}`);
    }
    const owner = job.data.user_name ?? null;
    if (opts.user != null && owner !== null && owner !== opts.user) return;
    // One by one: a spread of a large remainder (100k+ tasks) overflows the call stack.
    for (const r of jobToRecords(job.data)) records.push(r);
  });
  return shareArrayThrottle(records);
}

function jobToRecords(job: Job): JobRecord[] {
  const rawId = String(job.job_id);
  // A plain job has array_job_id 0 (21.08/22.05) or {set:true, number:0} (23.02+).
  const arrayId = num(job.array_job_id) ?? 0;
  const taskId = num(job.array_task_id);
  const taskString = textOrNull(job.array_task_string);
  const hetId = num(job.het_job_id) ?? 0;
  const { state, detail } = parseStateJson(job.job_state);
  const reason = textOrNull(job.state_reason);
  const exit = exitStatus(job.exit_code);
  const workDir = textOrNull(job.current_working_directory);
  const start = num(job.start_time, true);
  const end = num(job.end_time, true);

  let jobId = rawId;
  let baseId = rawId;
  if (arrayId > 0) {
    baseId = String(arrayId);
    if (taskId !== null) jobId = `${baseId}_${taskId}`;
  } else if (hetId > 0) {
    baseId = String(hetId);
    jobId = `${hetId}+${num(job.het_job_offset) ?? 0}`;
  }

  const rec: JobRecord = {
    ...emptyRecord(jobId, baseId),
    arrayTaskId: arrayId > 0 ? taskId : null,
    jobIdRaw: rawId,
    name: textOrNull(job.name),
    state,
    stateDetail: reason === null || reason === 'None' ? detail : reason,
    exitCode: exit.exitCode,
    exitSignal: exit.exitSignal,
    submitTime: num(job.submit_time, true),
    // Pending jobs carry an expected start/end; only a started job's are facts.
    startTime: state === 'PENDING' ? null : start,
    endTime: TERMINAL_STATES.has(state) ? end : null,
    elapsedSeconds:
      TERMINAL_STATES.has(state) && start !== null && end !== null ? Math.max(0, end - start) : null,
    timeLimitMinutes: num(job.time_limit),
    workDir,
    submitLine: textOrNull(job.submit_line),
    comment: textOrNull(job.comment),
    arrayThrottle: positive(num(job.array_max_tasks)),
  };
  const ctx = (index: number | null, raw: string | null): StdPathContext => ({
    jobIdRaw: raw,
    arrayJobId: baseId,
    arrayTaskId: index,
    user: textOrNull(job.user_name),
    name: rec.name,
    workDir,
  });

  if (arrayId > 0 && taskId === null && taskString !== null) {
    const spec = expandTaskSpec(taskString);
    if (spec === null) {
      throw outputError(
        'squeue',
        null,
        `array_task_string ${JSON.stringify(taskString)} is not an index set`,
      );
    }
    return expandRemainder(rec, baseId, spec.indices, spec.throttle, (index) =>
      stdPaths(job, ctx(index, null), true),
    );
  }
  return [{ ...rec, ...stdPaths(job, ctx(rec.arrayTaskId, rawId), false) }];
}

/** Prefers the resolved path (v0.0.43+); a remainder can only use a pattern (23.11 printed "_4294967294"). */
const SQUEUE_RULES: StdPathRules = {
  resolve: resolvePrintedStdPath,
  // squeue's "<workdir>/slurm-<id>.out" stand-in for the default is resolved per task, as a pattern is.
  usableForRemainder: (p) => p.includes('%') || /\/slurm-\d+\.out$/.test(p),
};

function stdPaths(job: Job, ctx: StdPathContext, remainder: boolean) {
  const printed = {
    stdout: job.standard_output,
    stdoutExpanded: job.stdout_expanded,
    stderr: job.standard_error,
    stderrExpanded: job.stderr_expanded,
  };
  return pickStdPaths(printed, ctx, remainder, SQUEUE_RULES);
}
