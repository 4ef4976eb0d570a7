// squeue and sacct each see part of the truth; one record per task from both.
import type { JobRecord } from '../slurm/types.js';
import { isTerminal } from './states.js';

export function byJobId(records: JobRecord[]): Map<string, JobRecord> {
  return new Map(records.map((r) => [r.jobId, r]));
}

const RANK: Record<string, number> = {
  PENDING: 0,
  REQUEUED: 0,
  CONFIGURING: 1,
  RUNNING: 1,
  SUSPENDED: 1,
  COMPLETING: 1,
  RESIZING: 1,
};
const rank = (r: JobRecord) => (isTerminal(r.state) ? 2 : (RANK[r.state] ?? 1));

/**
 * Takes whichever source is further along (sacct may still list a started task in the pending
 * remainder, squeue forgets finished jobs after MinJobAge), and fills in what it lacks from the other.
 */
export function mergeRecords(
  acct: JobRecord | undefined,
  queue: JobRecord | undefined,
): JobRecord | undefined {
  if (!acct) return queue;
  if (!queue) return acct;
  const [main, other] = rank(queue) > rank(acct) ? [queue, acct] : [acct, queue];
  return {
    ...main,
    jobIdRaw: main.jobIdRaw ?? other.jobIdRaw,
    stdoutPath: main.stdoutPath ?? other.stdoutPath,
    stderrPath: main.stderrPath ?? other.stderrPath,
    startTime: main.startTime ?? other.startTime,
    submitTime: main.submitTime ?? other.submitTime,
    comment: main.comment ?? other.comment,
    // sacct keeps the node after squeue forgets the job; squeue has it before sacct lists the start.
    node: main.node ?? other.node,
    // sacct has no pending reason (Slurm 24.11 lists a --begin job there too); squeue has no "by <uid>".
    stateDetail: main.stateDetail ?? other.stateDetail,
  };
}
