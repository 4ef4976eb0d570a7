// Compact task listings: consecutive indices with the same state and diagnosis become one line. The groups
// come from the agent (GET /submissions?view=summary) or from shared/task-groups.ts over a full task list.
import type { Task } from '../../agent/api/schemas.js';
import { groupTasks, slurmJobList, type TaskGroup } from '../../shared/task-groups.js';

export { groupTasks };
export type { TaskGroup };

type TaskLike = Pick<Task, 'index' | 'state' | 'attempts' | 'jobId' | 'diagnosis' | 'held' | 'pending'>;

/** "3" or "1-4": the spread of attempts. */
function spreadText({ min, max }: { min: number; max: number }): string {
  return min === max ? String(min) : `${min}-${max}`;
}

/** A group's jobs as one cell: "1500_[8-9],1600_10"; beyond three array jobs the rest are counted. */
function jobsText(g: Pick<TaskGroup, 'jobs' | 'unsubmitted'>): string {
  const parts = g.jobs;
  if (parts.length === 0) return '-';
  const shown = parts.length > 3 ? [...parts.slice(0, 2), `… (+${parts.length - 2} more jobs)`] : parts;
  return shown.join(',') + (g.unsubmitted ? ` (+${g.unsubmitted} not submitted)` : '');
}

/**
 * The latest job ids of a group the way Slurm writes ranges: "1500_[8-9]", "1500_8", "1500_[8-9],1600_10";
 * beyond three array jobs the rest are counted.
 */
export function jobIdsText(tasks: readonly { jobId: string | null }[]): string {
  return jobsText(slurmJobList(tasks.map((t) => t.jobId)));
}

/** One row per group: indices, state, attempts, jobs, diagnosis; done groups show only indices and state. */
export function groupRows(groups: readonly TaskGroup[]): string[][] {
  return groups.map((g) => {
    const idx = g.first === g.last ? String(g.first) : `${g.first}-${g.last}`;
    const state = g.held && g.state !== 'held' ? `${g.state} (held)` : g.state;
    if (g.state === 'done') return [idx, state, '', '', ''];
    // A queued task without a diagnosis shows why Slurm keeps it pending, as squeue's (REASON) does.
    const d = g.diagnosis;
    const diag =
      d === null ? (g.pending ? `(${g.pending})` : '') : d.hint ? `${d.cause}: ${d.hint}` : d.cause;
    return [idx, state, `attempts ${spreadText(g.attempts)}`, `job ${jobsText(g)}`, diag];
  });
}

/** groupRows over a full task list (sorted by index). */
export function taskRows(tasks: readonly TaskLike[]): string[][] {
  return groupRows(groupTasks(tasks));
}
