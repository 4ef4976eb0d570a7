// `emb-client submit`: runs sbatch with the caller's recipe and starts tracking every task it made.
import type { SubmitBody } from '../api/schemas.js';
import type { Clock } from '../clock.js';
import type { Repos } from '../db/repos/index.js';
import { AgentError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../slurm/types.js';
import { schedulerFailure } from './errors.js';
import { recipeInfo, type JobDefaults } from './recipe-info.js';

export interface SubmitDeps {
  repos: Repos;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  jobDefaults: Record<string, JobDefaults>;
  /** Called after the submission is recorded, so the tracker looks at it at once. */
  onSubmitted(): void;
}

export async function submitRecipe(
  d: SubmitDeps,
  body: SubmitBody,
): Promise<{ submissionId: number; jobId: string }> {
  const info = recipeInfo(body.args, body.cwd);
  if (info.parsed.script === null && !info.parsed.options.some((o) => o.name === 'wrap')) {
    throw new AgentError(
      'AGENT_ERR_BAD_REQUEST',
      'no batch script in the sbatch arguments (give a script or --wrap)',
    );
  }
  const defaults = (info.name && d.jobDefaults[info.name]) || {};
  let result;
  try {
    result = await d.scheduler.submit({ args: body.args, cwd: body.cwd, env: body.env });
  } catch (err) {
    const failure = schedulerFailure(err, 'sbatch failed');
    // A time-out may hide a job Slurm accepted: retrying blindly could run it twice.
    if (failure.code === 'AGENT_ERR_SCHEDULER_TRANSIENT' || failure.code === 'AGENT_ERR_SCHEDULER_OUTPUT') {
      failure.message +=
        '; the job may have been accepted: check squeue (and `emb-client adopt JOBID`) before retrying';
    }
    throw failure;
  }
  const now = d.clock.now();
  const jobId = result.jobId;
  const submissionId = d.repos.db.transaction(() => {
    const id = d.repos.submissions.create({
      name: info.name,
      origin: 'submit',
      args: body.args,
      cwd: body.cwd,
      env: body.env,
      arraySpec: info.arraySpecText,
      throttle: info.array?.throttle ?? null,
      doneMarker: body.doneMarker ?? defaults.doneMarker ?? null,
      progress: body.progress ?? defaults.progress ?? null,
      checkpointRegex: body.checkpointRegex ?? defaults.checkpointRegex ?? null,
      maxAttempts: body.maxAttempts ?? defaults.maxAttempts ?? null,
      resume: body.resume ?? defaults.resume ?? true,
      recipeNotes: info.notes,
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
  return { submissionId, jobId };
}
