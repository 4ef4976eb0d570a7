// sacct --json, every shape from 21.08 to 25.11 (see json-shapes.ts for what changed). Not the default
// path (sacct-text.ts is): it exists for sites and versions where JSON is preferred, and for 24.05+
// where only the JSON (or the StdOut field) carries stdout/stderr paths.
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
  ParentIdNumber,
  StateValue,
} from './json-shapes.js';
import {
  emptyRecord,
  expandRemainder,
  shareArrayThrottle,
  latestPerJob,
  outputError,
  positive,
  textOrNull,
} from './records.js';
import { parseStateJson } from './state.js';
import { expandStdPath, pickStdPaths, type StdPathContext, type StdPathRules } from './std-path.js';
import type { JobRecord } from './types.js';

const Job = z.object({
  job_id: JobIdNumber,
  name: z.string().nullish(),
  user: z.string().nullish(),
  array: z
    .object({
      job_id: ParentIdNumber.nullish(),
      task_id: NumberLike.optional(),
      task: z.string().nullish(),
      limits: z
        .object({
          max: z.object({ running: z.object({ tasks: NumberLike.optional() }).nullish() }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  het: z.object({ job_id: ParentIdNumber.nullish(), job_offset: NumberLike.optional() }).nullish(),
  state: z.object({ current: StateValue, reason: z.string().nullish() }),
  exit_code: ExitCodeValue.optional(),
  kill_request_user: z.string().nullish(),
  time: z
    .object({
      elapsed: NumberLike.optional(),
      submission: NumberLike.optional(),
      start: NumberLike.optional(),
      end: NumberLike.optional(),
      limit: NumberLike.optional(),
    })
    .nullish(),
  working_directory: z.string().nullish(),
  comment: z.union([z.string(), z.object({ job: z.string().nullish() })]).nullish(),
  submit_line: z.string().nullish(),
  stdout: z.string().nullish(),
  stderr: z.string().nullish(),
  stdout_expanded: z.string().nullish(),
  stderr_expanded: z.string().nullish(),
});
type Job = z.infer<typeof Job>;

const Doc = z.object({ meta: Meta, errors: JsonErrors, jobs: z.array(z.unknown()) });

export function parseSacctJson(stdout: string): JobRecord[] {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch (err) {
    const e = outputError('sacct', null, `not JSON (${(err as Error).message})`, stdout.slice(0, 200));
    throw e;
  }
  const doc = Doc.safeParse(raw);
  if (!doc.success) throw outputError('sacct', null, `no "jobs" list in the JSON document`);
  const errors = doc.data.errors ?? [];
  if (errors.length > 0 && doc.data.jobs.length === 0) {
    const text = errors.map((e) => e.description ?? e.error ?? 'error').join('; ');
    const kind = classifyFailure({
      command: 'sacct',
      stderr: text,
      exitCode: null,
      timedOut: false,
      signal: null,
      errno: null,
    });
    throw new SchedulerError(kind, { command: 'sacct', reason: text, stderr: text });
  }
  const records: JobRecord[] = [];
  doc.data.jobs.forEach((item, i) => {
    const job = Job.safeParse(item);
    if (!job.success) {
      const issue = job.error.issues[0];
      const where = issue === undefined ? '' : ` (${issue.path.join('.')}: ${issue.message})`;
      throw outputError('sacct', null, `jobs[${i}] is not a job record${where}`);
    }
    // One by one: a spread of a large remainder (100k+ tasks) overflows the call stack.
    for (const r of jobToRecords(job.data)) records.push(r);
  });
  return shareArrayThrottle(latestPerJob(records));
}

function jobToRecords(job: Job): JobRecord[] {
  const rawId = String(job.job_id);
  const arrayId = job.array?.job_id ?? 0;
  const taskId = num(job.array?.task_id);
  const taskString = textOrNull(job.array?.task);
  const hetId = job.het?.job_id ?? 0;

  const { state, detail } = parseStateJson(job.state.current);
  const stateDetail = state === 'CANCELLED' && job.kill_request_user ? `by ${job.kill_request_user}` : detail;
  let exit = exitStatus(job.exit_code);
  // 22.05's sacct JSON reports a FAILED job's exit as SUCCESS/0 (checked on 22.05.8: exit 3 read 0):
  // "0:0" for FAILED is a contradiction, so it is reported as unknown rather than as success.
  if (state === 'FAILED' && exit.exitCode === 0 && exit.exitSignal === 0)
    exit = { exitCode: null, exitSignal: null };
  const comment = typeof job.comment === 'string' ? job.comment : job.comment?.job;
  const workDir = textOrNull(job.working_directory);

  let jobId = rawId;
  let baseId = rawId;
  if (arrayId > 0) {
    baseId = String(arrayId);
    if (taskId !== null) jobId = `${baseId}_${taskId}`;
  } else if (hetId > 0) {
    baseId = String(hetId);
    jobId = `${hetId}+${num(job.het?.job_offset) ?? 0}`;
  }

  const rec: JobRecord = {
    ...emptyRecord(jobId, baseId),
    arrayTaskId: arrayId > 0 ? taskId : null,
    jobIdRaw: rawId,
    name: textOrNull(job.name),
    state,
    stateDetail,
    exitCode: exit.exitCode,
    exitSignal: exit.exitSignal,
    submitTime: num(job.time?.submission, true),
    startTime: num(job.time?.start, true),
    endTime: num(job.time?.end, true),
    elapsedSeconds: num(job.time?.elapsed),
    timeLimitMinutes: num(job.time?.limit),
    workDir,
    submitLine: textOrNull(job.submit_line),
    comment: textOrNull(comment),
    arrayThrottle: positive(num(job.array?.limits?.max?.running?.tasks)),
  };
  const ctx = (index: number | null, raw: string | null): StdPathContext => ({
    jobIdRaw: raw,
    arrayJobId: baseId,
    arrayTaskId: index,
    user: textOrNull(job.user),
    name: rec.name,
    workDir,
  });

  // A pending remainder: the array's own record, no task id yet, the pending set in array.task.
  if (arrayId > 0 && taskId === null && taskString !== null) {
    const spec = expandTaskSpec(taskString);
    if (spec === null)
      throw outputError('sacct', null, `array.task ${JSON.stringify(taskString)} is not an index set`);
    return expandRemainder(rec, baseId, spec.indices, spec.throttle, (index) =>
      stdPaths(job, ctx(index, null), true),
    );
  }
  return [{ ...rec, ...stdPaths(job, ctx(rec.arrayTaskId, rawId), false) }];
}

/** 24.05+ gives the pattern (stdout) and the path (stdout_expanded); older versions neither. */
const SACCT_RULES: StdPathRules = {
  resolve: expandStdPath,
  // A pattern without % names one file for every task.
  usableForRemainder: (p) => p.includes('%'),
};

function stdPaths(job: Job, ctx: StdPathContext, remainder: boolean) {
  const printed = {
    stdout: job.stdout,
    stdoutExpanded: job.stdout_expanded,
    stderr: job.stderr,
    stderrExpanded: job.stderr_expanded,
  };
  return pickStdPaths(printed, ctx, remainder, SACCT_RULES);
}
