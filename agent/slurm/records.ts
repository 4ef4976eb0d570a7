// Helpers shared by the sacct and squeue parsers: building JobRecords, expanding array remainders, and
// keeping one record per task.
import { SchedulerError } from './errors.js';
import type { JobRecord } from './types.js';

/** Fields every parser fills the same way when it has nothing better. */
export function emptyRecord(jobId: string, arrayJobId: string): JobRecord {
  return {
    jobId,
    arrayJobId,
    arrayTaskId: null,
    jobIdRaw: null,
    pendingRemainder: false,
    name: null,
    state: 'UNKNOWN',
    stateDetail: null,
    exitCode: null,
    exitSignal: null,
    submitTime: null,
    startTime: null,
    endTime: null,
    elapsedSeconds: null,
    timeLimitMinutes: null,
    workDir: null,
    submitLine: null,
    comment: null,
    stdoutPath: null,
    stderrPath: null,
    arrayThrottle: null,
    node: null,
  };
}

/** One record per index of an array remainder ("1234_[8-15%4]"): not started, so no raw id yet. */
export function expandRemainder(
  template: JobRecord,
  baseId: string,
  indices: number[],
  throttle: number | null,
  paths: (index: number) => { stdoutPath: string | null; stderrPath: string | null },
): JobRecord[] {
  return indices.map((index) => ({
    ...template,
    jobId: `${baseId}_${index}`,
    arrayJobId: baseId,
    arrayTaskId: index,
    jobIdRaw: null,
    pendingRemainder: true,
    arrayThrottle: throttle ?? template.arrayThrottle,
    ...paths(index),
  }));
}

/**
 * One record per jobId. sacct 22.05 can list a requeued job twice even with -X; the latest one wins:
 * a started record over a remainder, then the later submit time (a requeue resets it), then output order.
 */
export function latestPerJob(records: JobRecord[]): JobRecord[] {
  const byId = new Map<string, { rec: JobRecord; pos: number }>();
  records.forEach((rec, pos) => {
    const seen = byId.get(rec.jobId);
    if (seen === undefined || isLater(rec, seen.rec)) byId.set(rec.jobId, { rec, pos: seen?.pos ?? pos });
  });
  return [...byId.values()].sort((a, b) => a.pos - b.pos).map((v) => v.rec);
}

function isLater(candidate: JobRecord, current: JobRecord): boolean {
  if (candidate.pendingRemainder !== current.pendingRemainder) return !candidate.pendingRemainder;
  const a = candidate.submitTime ?? -1;
  const b = current.submitTime ?? -1;
  return a >= b;
}

/** The %N throttle belongs to the array: give every task of an array the one its remainder showed. */
export function shareArrayThrottle(records: JobRecord[]): JobRecord[] {
  const byArray = new Map<string, number>();
  for (const r of records) if (r.arrayThrottle !== null) byArray.set(r.arrayJobId, r.arrayThrottle);
  return records.map((r) =>
    r.arrayThrottle === null && r.arrayTaskId !== null && byArray.has(r.arrayJobId)
      ? { ...r, arrayThrottle: byArray.get(r.arrayJobId) ?? null }
      : r,
  );
}

/** An output error that names the command, the line and what was wrong with it. */
export function outputError(
  command: string,
  lineNo: number | null,
  problem: string,
  line?: string,
): SchedulerError {
  const where = lineNo === null ? '' : ` at line ${lineNo}`;
  // The problem quotes a field's value, which garbage can make megabytes long: keep messages readable.
  const what = problem.length > 300 ? `${problem.slice(0, 300)}…` : problem;
  const shown =
    line === undefined ? '' : `: ${JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line)}`;
  return new SchedulerError('output', {
    command,
    reason: `unexpected ${command} output${where}: ${what}${shown}`,
  });
}

/**
 * A node list: squeue prints it empty for a pending job, sacct "None assigned" (also for a job cancelled
 * before it started). Either way the job has no node yet; nor has a pending job whatever a later Slurm might
 * print there (a planned node).
 */
export function nodeOrNull(state: string, value: string | undefined | null): string | null {
  if (state === 'PENDING') return null;
  const t = textOrNull(value);
  return t === null || t === 'None assigned' ? null : t;
}

/** A text field that Slurm prints as "(null)" or "" when unset. */
export function textOrNull(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const t = value.trim();
  return t === '' || t === '(null)' ? null : t;
}
