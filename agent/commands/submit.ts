// `emb-client submit`: runs sbatch with the caller's recipe and starts tracking every task it made.
import { randomBytes } from 'node:crypto';
import type { SubmitBody } from '../api/schemas.js';
import type { Clock } from '../clock.js';
import type { Repos } from '../db/repos/index.js';
import { AgentError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { rebuildArgs } from '../recipe/sbatch-args.js';
import { lookUpTagged } from '../slurm/job-tag.js';
import type { Scheduler, SchedulerSearch } from '../slurm/types.js';
import { schedulerFailure } from './errors.js';
import { markersInForce, markerWarnings, resolveMarkers } from './markers.js';
import { recipeInfo, type JobDefaults, type RecipeInfo } from './recipe-info.js';

export interface SubmitDeps {
  repos: Repos;
  scheduler: Scheduler & SchedulerSearch;
  clock: Clock;
  logger: Logger;
  jobDefaults: Record<string, JobDefaults>;
  /** For markers: the work root (where a relative pattern was likely meant), and $USER / ~ expansion. */
  paths: { workRoot: string; user: string; home: string };
  /** Called after the submission is recorded, so the tracker looks at it at once. */
  onSubmitted(): void;
}

/**
 * Runs sbatch once. The job is tagged (--comment, unless the user set one) so that when sbatch's answer is
 * lost (a time-out after Slurm accepted the job, output the agent cannot read) the job is found by its tag
 * instead of being submitted again by a retrying user. Returns the job id.
 */
async function sendOnce(d: SubmitDeps, body: SubmitBody, info: RecipeInfo): Promise<string> {
  const startedSec = Math.floor(d.clock.now() / 1000) - 60;
  const tag = info.comment === null ? `emb-agent:submit=${randomBytes(6).toString('hex')}` : null;
  const args = tag ? rebuildArgs(info.parsed, [], [`--comment=${tag}`]) : body.args;
  try {
    return (await d.scheduler.submit({ args, cwd: body.cwd, env: body.env })).jobId;
  } catch (err) {
    const failure = schedulerFailure(err, 'sbatch failed');
    if (failure.code !== 'AGENT_ERR_SCHEDULER_TRANSIENT' && failure.code !== 'AGENT_ERR_SCHEDULER_OUTPUT')
      throw failure;
    // A time-out or unreadable answer may hide a job Slurm accepted.
    if (tag) {
      try {
        const found = await lookUpTagged(d.scheduler, tag, startedSec);
        if (found) {
          d.logger.info({ jobId: found.arrayJobId }, "sbatch's answer was lost; found the job by its tag");
          return found.arrayJobId;
        }
        failure.message += '; no job with its tag is known to squeue or sacct';
      } catch (lookupErr) {
        d.logger.warn({ err: describeError(lookupErr) }, 'could not look up a submit whose answer was lost');
        failure.message += `; looking the job up by its tag failed too (${describeError(lookupErr)})`;
      }
    }
    failure.message +=
      '; the job may have been accepted: check squeue (and `emb-client adopt JOBID`) before retrying';
    throw failure;
  }
}

export async function submitRecipe(d: SubmitDeps, body: SubmitBody): Promise<SubmitReply> {
  const info = recipeInfo(body.args, body.cwd);
  if (info.parsed.script === null && !info.parsed.options.some((o) => o.name === 'wrap')) {
    throw new AgentError(
      'AGENT_ERR_BAD_REQUEST',
      'no batch script in the sbatch arguments (give a script or --wrap)',
    );
  }
  const m = markersInForce({ ...d.paths, jobDefaults: d.jobDefaults }, info, body);
  const report = await markerReport(d, body.cwd, m);
  const result = await sendOnce(d, body, info);
  const now = d.clock.now();
  const jobId = result;
  const submissionId = d.repos.db.transaction(() => {
    const id = d.repos.submissions.create({
      name: info.name,
      origin: 'submit',
      args: body.args,
      cwd: body.cwd,
      env: body.env,
      arraySpec: info.arraySpecText,
      throttle: info.array?.throttle ?? null,
      ...m,
      recipeNotes: [...info.notes, ...report.warnings],
      firstJobId: jobId,
      createdAt: now,
    });
    const indices = info.array ? info.array.indices : [0];
    for (const index of indices) {
      const taskId = d.repos.tasks.ensure(id, index, 'queued', now);
      const taskJobId = info.array ? `${jobId}_${index}` : jobId;
      d.repos.attempts.insert({
        taskId,
        jobId: taskJobId,
        arrayJobId: jobId,
        intentId: null,
        createdAt: now,
      });
      d.repos.tasks.recordAttempt(taskId, taskJobId, now);
    }
    d.repos.events.add({
      at: now,
      level: 'info',
      kind: 'submission.created',
      submissionId: id,
      jobId,
      message: `submitted ${info.name ?? 'job'} as ${jobId}${info.arraySpecText ? ` (array ${info.arraySpecText})` : ''}`,
      data: { args: body.args, cwd: body.cwd },
    });
    return id;
  })();
  d.logger.info({ submissionId, jobId }, 'submitted');
  d.onSubmitted();
  return { submissionId, jobId, ...report };
}

export interface SubmitReply {
  submissionId: number;
  jobId: string;
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
