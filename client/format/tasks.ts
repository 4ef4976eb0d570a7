// Compact task listings: consecutive indices with the same state and diagnosis become one line.
import type { Task } from '../../agent/api/schemas.js';
import { ranges } from './text.js';

export interface TaskGroup {
  first: number;
  last: number;
  state: string;
  held: boolean;
  cause: string | null;
  hint: string | null;
  /** A queued task's reason: squeue's pending reason (Resources, Priority, JobArrayTaskLimit...). */
  pending: string | null;
  tasks: Pick<Task, 'index' | 'attempts' | 'jobId'>[];
}

type TaskLike = Pick<Task, 'index' | 'state' | 'attempts' | 'jobId' | 'diagnosis' | 'held' | 'pending'>;

/** Groups tasks (sorted by index) into runs of consecutive indices sharing state, hold and diagnosis. */
export function groupTasks(tasks: readonly TaskLike[]): TaskGroup[] {
  const groups: TaskGroup[] = [];
  let g: TaskGroup | undefined;
  for (const t of tasks) {
    const cause = t.diagnosis?.cause ?? null;
    const hint = t.diagnosis?.hint ?? null;
    const pending = t.state === 'queued' ? (t.pending ?? null) : null;
    if (
      g &&
      t.index === g.last + 1 &&
      t.state === g.state &&
      t.held === g.held &&
      cause === g.cause &&
      hint === g.hint &&
      pending === g.pending
    ) {
      g.last = t.index;
      g.tasks.push(t);
      continue;
    }
    g = { first: t.index, last: t.index, state: t.state, held: t.held, cause, hint, pending, tasks: [t] };
    groups.push(g);
  }
  return groups;
}

/** "3" or "1-4": the spread of attempts in a group. */
export function attemptsText(tasks: readonly { attempts: number }[]): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of tasks) {
    lo = Math.min(lo, t.attempts);
    hi = Math.max(hi, t.attempts);
  }
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

/**
 * The latest job ids of a group the way Slurm writes ranges: "1500_[8-9]", "1500_8", "1500_[8-9],1600_10";
 * beyond three array jobs the rest are counted.
 */
export function jobIdsText(tasks: readonly { jobId: string | null }[]): string {
  const byBase = new Map<string, number[]>();
  const plain: string[] = [];
  let none = 0;
  for (const t of tasks) {
    if (t.jobId === null) {
      none++;
      continue;
    }
    const cut = t.jobId.indexOf('_');
    if (cut === -1) {
      if (!plain.includes(t.jobId)) plain.push(t.jobId);
      continue;
    }
    const base = t.jobId.slice(0, cut);
    let list = byBase.get(base);
    if (!list) byBase.set(base, (list = []));
    list.push(Number(t.jobId.slice(cut + 1)));
  }
  const parts = [...plain];
  for (const [base, idx] of byBase) {
    idx.sort((a, b) => a - b);
    parts.push(idx.length === 1 ? `${base}_${idx[0]}` : `${base}_[${ranges(idx)}]`);
  }
  if (parts.length === 0) return '-';
  const shown = parts.length > 3 ? [...parts.slice(0, 2), `… (+${parts.length - 2} more jobs)`] : parts;
  return shown.join(',') + (none ? ` (+${none} not submitted)` : '');
}

/** One row per group: indices, state, attempts, jobs, diagnosis; done groups show only indices and state. */
export function taskRows(tasks: readonly TaskLike[]): string[][] {
  return groupTasks(tasks).map((g) => {
    const idx = g.first === g.last ? String(g.first) : `${g.first}-${g.last}`;
    const state = g.held && g.state !== 'held' ? `${g.state} (held)` : g.state;
    if (g.state === 'done') return [idx, state, '', '', ''];
    // A queued task without a diagnosis shows why Slurm keeps it pending, as squeue's (REASON) does.
    const diag =
      g.cause === null ? (g.pending ? `(${g.pending})` : '') : g.hint ? `${g.cause}: ${g.hint}` : g.cause;
    return [idx, state, `attempts ${attemptsText(g.tasks)}`, `job ${jobIdsText(g.tasks)}`, diag];
  });
}
