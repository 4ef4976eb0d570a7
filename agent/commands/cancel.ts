// `emb-client cancel TARGET`: the user's cancel, recorded first (held: never resumed, whatever Slurm says
// next), then scancel for each of the named tasks' live jobs.
import type { Repos, SubmissionRow, TaskRow } from '../db/repos/index.js';
import { AgentError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../slurm/types.js';
import type { TaskLife } from '../tasks/life.js';
import { resolveTarget } from '../tasks/targets.js';
import { cancelled } from '../tasks/user-steps.js';
import { schedulerFailure } from './errors.js';

export interface CancelDeps {
  repos: Repos;
  life: TaskLife;
  scheduler: Pick<Scheduler, 'cancel'>;
  logger: Logger;
  /** Who cancels, as the task's reason names them: the agent's user. */
  user: string;
}

export interface CancelReply {
  submissionId: number;
  indices: number[];
  message: string;
}

/**
 * The Slurm jobs to scancel: a whole submission's live attempts by their array job (one scancel per sbatch,
 * whatever the number of tasks), one task's by its own id ("1234_7").
 */
export function liveJobs(repos: Repos, tasks: TaskRow[], wholeSubmission: boolean): string[] {
  const ids = new Set<string>();
  for (const t of tasks) {
    const a = repos.attempts.latestForTask(t.id);
    if (!a || a.ended) continue;
    ids.add(wholeSubmission ? a.arrayJobId : a.jobId);
  }
  return [...ids];
}

/** Cancels what TARGET names in Slurm and records the user's cancel. */
export async function cancelTarget(d: CancelDeps, target: string): Promise<CancelReply> {
  const { sub, task } = resolveTarget(d.repos, target);
  return cancelResolved(d, sub, task);
}

/** The same for a resolved target (a waiting submission is dropped before this, by its own owner). */
export async function cancelResolved(
  d: CancelDeps,
  sub: SubmissionRow,
  task: TaskRow | null,
): Promise<CancelReply> {
  const named = task ? [task] : d.repos.tasks.bySubmission(sub.id);
  const open = named.filter((t) => t.state !== 'done');
  if (!open.length) {
    throw new AgentError(
      'AGENT_ERR_CONFLICT',
      `nothing to cancel: ${task ? `task ${task.index} is` : `every task of #${sub.id} is`} done`,
    );
  }
  const jobs = liveJobs(d.repos, open, task === null);
  // Recorded before scancel: the tracker may see CANCELLED (or a TIMEOUT racing it) at any moment after.
  cancelled(d.life, sub, task, `${d.user} (emb-client cancel)`);
  for (const jobId of jobs) {
    try {
      await d.scheduler.cancel(jobId);
    } catch (err) {
      d.logger.warn({ err, jobId }, 'scancel failed');
      // A SchedulerError is already an AgentError: its code is kept, the message says the cancel stands.
      const failure = schedulerFailure(err, 'scancel failed');
      throw new AgentError(
        failure.code,
        `recorded as cancelled (never resumed), but scancel ${jobId} failed, so it may still run: ${failure.message}`,
        { cause: err },
      );
    }
  }
  d.logger.info({ submissionId: sub.id, jobs }, 'cancelled by the user');
  const what = jobs.length ? `scancel ${jobs.join(' ')}` : 'no job was queued or running';
  return {
    submissionId: sub.id,
    indices: open.map((t) => t.index),
    message: `cancelled (${what}); never resumed`,
  };
}
