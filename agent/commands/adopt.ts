// `emb-client adopt JOBID`: tracks a job submitted by hand, its recipe recovered from sacct.
import type { Clock } from '../clock.js';
import type { Repos } from '../db/repos/index.js';
import { AgentError } from '../errors.js';
import type { Logger } from '../log.js';
import type { JobRecord, Scheduler } from '../slurm/types.js';
import { isTerminal } from '../tracker/states.js';
import { schedulerFailure } from './errors.js';
import { checkRequestPatterns } from '../text/linear-regex.js';
import { markersInForce, type MarkerOptions } from './markers.js';
import { recipeInfo, type JobDefaults, type RecipeInfo } from '../recipe/info.js';
import { markerReport } from './submit.js';
import type { TaskLife } from '../tasks/life.js';
import { adopted } from '../tasks/submissions.js';

export interface AdoptDeps {
  repos: Repos;
  /** Records the adopted submission (agent/tasks/). */
  life: TaskLife;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  jobDefaults: Record<string, JobDefaults>;
  paths: { workRoot: string; user: string; home: string };
  onSubmitted(): void;
}

export interface AdoptRequest extends MarkerOptions {
  jobId: string;
  /** The caller's environment: Slurm does not record the submitting environment, so this stands in. */
  env?: Record<string, string> | undefined;
}

/** SubmitLine is the argv joined by spaces, the sbatch path first. */
function argsFromSubmitLine(line: string): string[] {
  const words = line.trim().split(/\s+/);
  return /(^|\/)sbatch$/.test(words[0] ?? '') ? words.slice(1) : words;
}

/**
 * Whether joining by spaces may have split an argument: words after the script are its arguments (any of
 * them may have been one with spaces), and so is a --wrap command; options and their values hold none in
 * practice. Without such words the argv reads back exactly.
 */
function maySplit(info: RecipeInfo): boolean {
  return info.parsed.scriptArgs.length > 0 || info.parsed.options.some((o) => o.name === 'wrap');
}

/** sacct lags squeue by seconds after a submission: wait this long for its SubmitLine. */
const SACCT_LAG_TRIES = 10;

/** The job's tasks from sacct (which has the SubmitLine), completed by squeue for tasks sacct lacks yet. */
async function lookUp(d: AdoptDeps, jobId: string): Promise<JobRecord[]> {
  try {
    const queued = (await d.scheduler.queue()).filter((r) => r.arrayJobId === jobId);
    let acct: JobRecord[] = [];
    for (let i = 0; i < SACCT_LAG_TRIES; i++) {
      acct = (await d.scheduler.accounting([jobId])).filter((r) => r.arrayJobId === jobId);
      if (acct.some((r) => r.submitLine) || !queued.length) break;
      await d.clock.sleep(1000);
    }
    const known = new Set(acct.map((r) => r.jobId));
    return [...acct, ...queued.filter((r) => !known.has(r.jobId))];
  } catch (err) {
    throw schedulerFailure(err, `could not look up job ${jobId}`);
  }
}

export async function adoptJob(d: AdoptDeps, req: AdoptRequest) {
  // The request's own patterns must run in linear time (RE2): refused before anything is asked of Slurm.
  checkRequestPatterns({ checkpointRegex: req.checkpointRegex ?? null, doneMarker: req.doneMarker ?? null });
  const existing = d.repos.submissions.byFirstJobId(req.jobId);
  if (existing) {
    throw new AgentError(
      'AGENT_ERR_CONFLICT',
      `job ${req.jobId} is already tracked as submission #${existing.id}`,
    );
  }
  const records = await lookUp(d, req.jobId);
  if (!records.length) {
    // squeue and sacct are asked for the agent's user's jobs only: another user's job is not found.
    throw new AgentError(
      'AGENT_ERR_NOT_FOUND',
      `neither squeue nor sacct knows job ${req.jobId} among your jobs (adopt takes only jobs of the user the agent runs as)`,
    );
  }
  const first = records.find((r) => r.submitLine) ?? (records[0] as JobRecord);
  const notes: string[] = [];
  const cwd = first.workDir ?? '/';
  if (!first.workDir) notes.push('sacct did not give the working directory; resubmissions run from /');
  let args: string[] = [];
  if (first.submitLine) {
    args = argsFromSubmitLine(first.submitLine);
  } else {
    notes.push(
      'sacct has no SubmitLine for this job (Slurm before 21.08?): it cannot be resubmitted automatically',
    );
  }
  notes.push(
    req.env
      ? 'Slurm does not record the submitting environment: resubmissions use the environment of the adopt call'
      : 'Slurm does not record the submitting environment: resubmissions run with an empty one',
  );
  const info = args.length ? recipeInfo(args, cwd) : null;
  if (info && maySplit(info)) {
    notes.push(
      `the sbatch arguments come from sacct SubmitLine, which joins them with spaces: check that the words after ${info.parsed.script ?? '--wrap'} were not one argument with spaces (emb-client show)`,
    );
  }
  notes.push(...(info?.notes ?? []));
  const m = info
    ? markersInForce({ ...d.paths, jobDefaults: d.jobDefaults }, info, req)
    : markersInForce({ ...d.paths, jobDefaults: {} }, null, req);
  const report = await markerReport(d, cwd, m);
  notes.push(...report.warnings);
  const isArray = records.some((r) => r.arrayTaskId !== null);
  const submissionId = adopted(
    d.life,
    {
      name: first.name ?? info?.name ?? null,
      origin: 'adopt',
      args,
      cwd,
      env: req.env ?? {},
      arraySpec: info?.arraySpecText ?? null,
      throttle: info?.array?.throttle ?? records.find((r) => r.arrayThrottle !== null)?.arrayThrottle ?? null,
      ...m,
      resume: args.length > 0 && m.resume,
      recipeNotes: notes,
      firstJobId: req.jobId,
    },
    records.map((r) => ({
      index: isArray ? (r.arrayTaskId ?? 0) : 0,
      jobId: r.jobId,
      facts: {
        jobIdRaw: r.jobIdRaw,
        slurmState: r.state,
        stateDetail: r.stateDetail,
        exitCode: r.exitCode,
        exitSignal: r.exitSignal,
        submittedAt: r.submitTime,
        startedAt: r.startTime,
        endedAt: r.endTime,
        ended: isTerminal(r.state),
      },
    })),
    notes,
  );
  d.onSubmitted();
  return {
    submissionId,
    jobId: req.jobId,
    tasks: new Set(records.map((r) => r.jobId)).size,
    notes,
    ...report,
  };
}
