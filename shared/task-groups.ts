// Tasks as `ls` and `show` list them: runs of consecutive indices sharing state, hold, diagnosis and pending
// reason. Written once for both sides: the agent sends these groups instead of every task when asked for the
// list's summary (GET /submissions?view=summary, what the human `ls` reads: 10,000 tasks are a few groups,
// not 1.6 MB of JSON), and the client groups a full list itself (`show`, an agent without the summary).
// Plain data in, plain data out: no zod, no environment.

export interface GroupableTask<S extends string = string> {
  index: number;
  state: S;
  attempts: number;
  /** The latest attempt's job id as Slurm writes it ("1234_7"), null before any sbatch. */
  jobId: string | null;
  diagnosis: { cause: string; hint: string } | null;
  held: boolean;
  pending?: string | undefined;
}

export interface TaskGroup<S extends string = string> {
  first: number;
  last: number;
  state: S;
  held: boolean;
  diagnosis: { cause: string; hint: string } | null;
  /** A queued task's reason: squeue's pending reason (Resources, Priority, JobArrayTaskLimit...). */
  pending: string | null;
  /** The fewest and most attempts of the group's tasks. */
  attempts: { min: number; max: number };
  /**
   * The latest job ids the way Slurm writes ranges, plain jobs first, then one entry per array job in order
   * of first appearance: ["777", "1500_[8-9]", "1600_10"].
   */
  jobs: string[];
  /** Tasks of the group with no job id yet. */
  unsubmitted: number;
}

/** "0-3,7,9-10" for sorted numbers. */
export function ranges(nums: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && (nums[j + 1] as number) === (nums[j] as number) + 1) j++;
    out.push(j === i ? String(nums[i]) : `${nums[i]}-${nums[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** Job ids in Slurm's range notation (see TaskGroup.jobs), and how many were null. */
export function slurmJobList(jobIds: readonly (string | null)[]): { jobs: string[]; unsubmitted: number } {
  const byBase = new Map<string, number[]>();
  const plain: string[] = [];
  let unsubmitted = 0;
  for (const jobId of jobIds) {
    if (jobId === null) {
      unsubmitted++;
      continue;
    }
    const cut = jobId.indexOf('_');
    if (cut === -1) {
      if (!plain.includes(jobId)) plain.push(jobId);
      continue;
    }
    const base = jobId.slice(0, cut);
    let list = byBase.get(base);
    if (!list) byBase.set(base, (list = []));
    list.push(Number(jobId.slice(cut + 1)));
  }
  const jobs = [...plain];
  for (const [base, idx] of byBase) {
    idx.sort((a, b) => a - b);
    jobs.push(idx.length === 1 ? `${base}_${idx[0]}` : `${base}_[${ranges(idx)}]`);
  }
  return { jobs, unsubmitted };
}

/** Groups tasks (sorted by index) into runs of consecutive indices sharing state, hold and diagnosis. */
export function groupTasks<S extends string>(tasks: readonly GroupableTask<S>[]): TaskGroup<S>[] {
  const groups: TaskGroup<S>[] = [];
  // The job ids of the group being built; turned into Slurm's notation once the group is complete.
  let ids: (string | null)[] = [];
  let g: TaskGroup<S> | undefined;
  const close = () => {
    if (!g) return;
    const { jobs, unsubmitted } = slurmJobList(ids);
    g.jobs = jobs;
    g.unsubmitted = unsubmitted;
  };
  for (const t of tasks) {
    const cause = t.diagnosis?.cause ?? null;
    const hint = t.diagnosis?.hint ?? null;
    const pending = t.state === 'queued' ? (t.pending ?? null) : null;
    if (
      g &&
      t.index === g.last + 1 &&
      t.state === g.state &&
      t.held === g.held &&
      cause === (g.diagnosis?.cause ?? null) &&
      hint === (g.diagnosis?.hint ?? null) &&
      pending === g.pending
    ) {
      g.last = t.index;
      g.attempts.min = Math.min(g.attempts.min, t.attempts);
      g.attempts.max = Math.max(g.attempts.max, t.attempts);
      ids.push(t.jobId);
      continue;
    }
    close();
    ids = [t.jobId];
    g = {
      first: t.index,
      last: t.index,
      state: t.state,
      held: t.held,
      diagnosis: cause === null ? null : { cause, hint: hint ?? '' },
      pending,
      attempts: { min: t.attempts, max: t.attempts },
      jobs: [],
      unsubmitted: 0,
    };
    groups.push(g);
  }
  close();
  return groups;
}
