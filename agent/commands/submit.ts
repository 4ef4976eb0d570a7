// `emb-client submit`: runs sbatch with the caller's recipe and starts tracking every task it made.
import { randomBytes } from 'node:crypto';
import type { SubmitBody } from '../api/schemas.js';
import type { Clock } from '../clock.js';
import type { SubmitRecipe } from '../db/repos/index.js';
import { AgentError, describeError, loggable } from '../errors.js';
import type { Logger } from '../log.js';
import { rebuildArgs } from '../recipe/sbatch-args.js';
import { lookUpTagged } from '../slurm/job-tag.js';
import { checkRequestPatterns } from '../text/linear-regex.js';
import type { Scheduler, SchedulerSearch } from '../slurm/types.js';
import { schedulerFailure } from './errors.js';
import { markersInForce, markerWarnings, resolveMarkers } from './markers.js';
import { recipeInfo, type JobDefaults, type RecipeInfo } from '../recipe/info.js';
import type { TaskLife } from '../tasks/life.js';
import { submitOpened, submitRefused, submitted } from '../tasks/submissions.js';
import { agentUserEnv, type AgentSelf } from './agent-env.js';

export interface SubmitDeps {
  /** Records the submit and the submission (agent/tasks/). */
  life: TaskLife;
  scheduler: Scheduler & SchedulerSearch;
  clock: Clock;
  logger: Logger;
  jobDefaults: Record<string, JobDefaults>;
  /** For markers: the work root (where a relative pattern was likely meant), and $USER / ~ expansion. */
  paths: { workRoot: string; user: string; home: string };
  /** Called after the submission is recorded, so the tracker looks at it at once. */
  onSubmitted(): void;
  /** The agent's host, user and environment: a body without an environment gets the agent user's. */
  self?: AgentSelf;
}

/**
 * Runs sbatch once. The job is tagged (--comment, unless the user set one) so that when sbatch's answer is
 * lost (a time-out after Slurm accepted the job, output the agent cannot read) the job is found by its tag
 * instead of being submitted again by a retrying user. Returns the job id.
 */
async function sendOnce(
  d: SubmitDeps,
  body: SubmitBody & { env: Record<string, string> },
  info: RecipeInfo,
  tag: string | null,
  intentId: number,
): Promise<string> {
  const startedSec = Math.floor(d.clock.now() / 1000) - 60;
  const args = tag ? rebuildArgs(info.parsed, [], [`--comment=${tag}`]) : body.args;
  try {
    const req = { args, cwd: body.cwd, env: body.env, preflight: body.preflight };
    return (await d.scheduler.submit(req)).jobId;
  } catch (err) {
    const failure = schedulerFailure(err, 'sbatch failed');
    if (failure.code !== 'AGENT_ERR_SCHEDULER_TRANSIENT' && failure.code !== 'AGENT_ERR_SCHEDULER_OUTPUT') {
      closeIntent(d, intentId, failure.message);
      throw failure;
    }
    // A time-out or unreadable answer may hide a job Slurm accepted.
    if (tag) {
      try {
        const found = await lookUpTagged(d.scheduler, tag, startedSec);
        if (found) {
          d.logger.info({ jobId: found.arrayJobId }, "sbatch's answer was lost; found the job by its tag");
          return found.arrayJobId;
        }
        failure.message += '; no job with its tag is known to squeue or sacct';
        closeIntent(d, intentId, failure.message);
      } catch (lookupErr) {
        // The error itself, so its code, stack and cause reach the log (the logger scrubs secrets from the line).
        d.logger.warn({ err: loggable(lookupErr) }, 'could not look up a submit whose answer was lost');
        // Left open: the next start looks again, so a job Slurm did accept is tracked after all.
        failure.message += `; looking the job up by its tag failed too (${describeError(lookupErr)})`;
      }
    }
    failure.message +=
      '; the job may have been accepted: check squeue (and `emb-client adopt JOBID`) before retrying';
    throw failure;
  }
}

/** What a submit records (checked as sbatch would need it), before anything is sent. */
export async function prepareSubmit(
  d: SubmitDeps,
  body: SubmitBody,
): Promise<{ info: RecipeInfo; recipe: SubmitRecipe; report: Pick<SubmitReply, 'markers' | 'warnings'> }> {
  const info = recipeInfo(body.args, body.cwd);
  if (info.parsed.script === null && !info.parsed.options.some((o) => o.name === 'wrap')) {
    throw new AgentError(
      'AGENT_ERR_BAD_REQUEST',
      'no batch script in the sbatch arguments (give a script or --wrap)',
    );
  }
  const m = markersInForce({ ...d.paths, jobDefaults: d.jobDefaults }, info, body);
  checkRequestPatterns(m);
  const report = await markerReport(d, body.cwd, m);
  const recipe: SubmitRecipe = {
    name: info.name,
    origin: 'submit',
    args: body.args,
    cwd: body.cwd,
    // None sent (a client on another host, agent-env.ts): the agent user's.
    env: body.env ?? agentUserEnv(need(d.self)),
    envFrom: body.env === undefined ? 'agent' : 'client',
    arraySpec: info.arraySpecText,
    throttle: info.array?.throttle ?? null,
    ...m,
    recipeNotes: [...info.notes, ...report.warnings],
  };
  return { info, recipe, report };
}

/**
 * `opened` runs in the transaction that writes the submit's intent: a waiting submission being sent ties
 * itself to the intent there (agent/tasks/waits.ts), so a crash never sends it twice.
 */
export async function submitRecipe(
  d: SubmitDeps,
  body: SubmitBody,
  opened?: (intentId: number) => void,
): Promise<SubmitReply> {
  const { info, recipe, report } = await prepareSubmit(d, body);
  const tag = info.comment === null ? `emb-agent:submit=${randomBytes(6).toString('hex')}` : null;
  const intent = {
    id: openIntent(d, tag, recipe, info, opened),
    recipe,
    indices: info.array ? info.array.indices : [0],
    isArray: info.array !== null,
  };
  const jobId = await sendOnce(d, { ...body, env: recipe.env }, info, tag, intent.id);
  const environment = recipe.envFrom ?? 'client';
  let submissionId: number;
  try {
    submissionId = submitted(d.life, intent, jobId);
  } catch (err) {
    // The job exists and runs as the user: the id must reach them whatever the database says. The intent
    // stays open, so the next start finds the job by its tag and tracks it.
    const why = `sbatch accepted job ${jobId}, but the agent could not record it (${describeError(err)}); it is not tracked until the agent restarts with a writable database`;
    d.logger.error({ err, jobId, intent: intent.id }, why);
    return { submissionId: null, jobId, environment, ...report, warnings: [...report.warnings, why] };
  }
  d.logger.info({ submissionId, jobId }, 'submitted');
  d.onSubmitted();
  return { submissionId, jobId, environment, ...report };
}

/** Writes the intent down before sbatch runs; a database that cannot be written refuses the submit. */
function openIntent(
  d: SubmitDeps,
  tag: string | null,
  recipe: SubmitRecipe,
  info: RecipeInfo,
  opened?: (intentId: number) => void,
): number {
  try {
    return d.life.atomically(() => {
      const id = submitOpened(
        d.life,
        tag,
        recipe,
        info.array ? info.array.indices : [0],
        info.array !== null,
      );
      opened?.(id);
      return id;
    });
  } catch (err) {
    throw new AgentError(
      'AGENT_ERR_DB',
      `nothing was submitted: the agent cannot write its database (${describeError(err)}), so it could not track the job; free space where stateDir is and try again`,
      { cause: err },
    );
  }
}

/** The submit did not reach Slurm: the intent is closed (a database error here only costs an event). */
function closeIntent(d: SubmitDeps, intentId: number, why: string): void {
  try {
    submitRefused(d.life, intentId, why);
  } catch (err) {
    d.logger.error({ err, intent: intentId }, 'could not close a submit intent; the next start will');
  }
}

export interface SubmitReply {
  /** null when sbatch accepted the job but the database could not record it (warnings say so). */
  submissionId: number | null;
  jobId: string;
  /** The jobs' environment: the client's, or the agent user's (a submit from another host). */
  environment: 'client' | 'agent';
  markers: { doneMarker: string | null; progress: string | null };
  warnings: string[];
}

/** Where the markers resolved and what looks wrong (kept in the recipe's notes, so `show` has it too). */
export async function markerReport(
  d: Pick<SubmitDeps, 'paths' | 'logger'>,
  cwd: string,
  m: { doneMarker: string | null; progress: string | null },
): Promise<Pick<SubmitReply, 'markers' | 'warnings'>> {
  let warnings: string[];
  try {
    warnings = await markerWarnings(cwd, d.paths.workRoot, m);
  } catch (err) {
    d.logger.warn({ err }, 'could not check the marker folders');
    warnings = [`could not check the marker folders: ${describeError(err)}`];
  }
  return { markers: resolveMarkers(cwd, m), warnings };
}

function need(self: AgentSelf | undefined): AgentSelf {
  if (self) return self;
  throw new AgentError(
    'AGENT_ERR_INTERNAL',
    "a submit without an environment, and no agent user's to give it",
  );
}
