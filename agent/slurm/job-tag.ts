// Tags that let the agent find a job whose sbatch answer it never got (a crash, a time-out): the job carries
// the tag in --comment, which squeue shows and sacct keeps in SubmitLine.
import type { JobRecord, Scheduler, SchedulerSearch } from './types.js';

function findTagged(tag: string, records: JobRecord[]): JobRecord | undefined {
  return records.find(
    (r) =>
      r.comment === tag || (r.submitLine !== null && r.submitLine.split(/\s+/).includes(`--comment=${tag}`)),
  );
}

/** Looks for the tagged job in squeue, then in sacct from `sinceSec` (Unix seconds) on. */
export async function lookUpTagged(
  scheduler: Scheduler & SchedulerSearch,
  tag: string,
  sinceSec: number,
): Promise<JobRecord | undefined> {
  return (
    findTagged(tag, await scheduler.queue()) ?? findTagged(tag, await scheduler.accountingSince(sinceSec))
  );
}
