// squeue -O (--Format) output: the default queue path. -O is the only text format that reaches StdOut,
// StdErr and Comment; each field gets width 0 (no padding, no truncation) and our own delimiter as its
// suffix. StdOut prints the raw pattern on every version (std-path.ts expands it), exit_code a wait status
// up to 22.05 and "code:signal" from 23.02, Comment "(null)" when unset, NodeList empty while pending.
//
// squeue's default array display, the same on 22.05 to 25.x: the array's unstarted remainder is one line
// "1234_[8-15%4]" whose size does not grow with the array (--array would print one line per index and drop
// the %4). The parser expands the remainder. --array-unique (split-off pending tasks on lines of their own)
// was removed in 23.02 (SchedMD commit e7fbb89b81), and without it squeue merges a split-off pending task
// (a requeued one) into the remainder line, losing its throttle text and its own raw id. The tracker does
// not need either: it matches tasks by "1234_7" and keeps a raw id it learned earlier (tracker.ts).
import { z } from 'zod';
import { decodeWaitStatus, parseExitText, type ExitStatus } from './exit-code.js';
import { parseJobId } from './job-id.js';
import {
  emptyRecord,
  expandRemainder,
  nodeOrNull,
  outputError,
  shareArrayThrottle,
  textOrNull,
} from './records.js';
import { parseStateText } from './state.js';
import { resolvePrintedStdPath, type StdPathContext } from './std-path.js';
import { parseDuration, parseSlurmTime } from './time.js';
import type { JobRecord } from './types.js';

export const SQUEUE_FIELDS = [
  'JobArrayID',
  'JobID',
  'ArrayJobID',
  'ArrayTaskID',
  'UserName',
  'Name',
  'State',
  'Reason',
  'exit_code',
  'SubmitTime',
  'StartTime',
  'EndTime',
  'TimeLimit',
  'TimeUsed',
  'WorkDir',
  'StdOut',
  'StdErr',
  'Comment',
  // Last, so that rows written for the fields before it keep their positions.
  'NodeList',
] as const;

/** Printed after every field: the ASCII unit separator, which no job name, path or comment holds. */
export const SQUEUE_DELIMITER = '\x1f';

// No selector by job id: `squeue -j` fails outright when one job asked for has left the queue (adapter.ts).
export type QueueSelector = { user: string } | { me: true };

/**
 * argv for one squeue call. --states=all includes jobs that ended within MinJobAge (still in memory),
 * so a finished task is seen before sacct has it.
 */
export function squeueTextArgs(selector: QueueSelector): string[] {
  const format = SQUEUE_FIELDS.map((f) => `${f}:${SQUEUE_DELIMITER}`).join(',');
  const who = 'user' in selector ? [`--user=${selector.user}`] : ['--me'];
  return ['--noheader', '--states=all', ...who, `--Format=${format}`];
}

const Row = z.object(
  Object.fromEntries(SQUEUE_FIELDS.map((f) => [f, z.string()])) as Record<
    (typeof SQUEUE_FIELDS)[number],
    z.ZodString
  >,
);
type Row = z.infer<typeof Row>;

export function parseSqueueText(stdout: string): JobRecord[] {
  const records: JobRecord[] = [];
  const lines = stdout.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const parts = line.split(SQUEUE_DELIMITER);
    // Each field ends with the delimiter, so a full line splits into one more part (empty) than fields.
    if (parts.length !== SQUEUE_FIELDS.length + 1 || (parts.at(-1) ?? '').trim() !== '') {
      throw outputError('squeue', i + 1, `expected ${SQUEUE_FIELDS.length} fields`, line);
    }
    const row = Row.parse(Object.fromEntries(SQUEUE_FIELDS.map((f, k) => [f, parts[k] ?? ''])));
    // One by one: a spread of a large remainder (100k+ tasks) overflows the call stack.
    for (const r of rowToRecords(row, i + 1, line)) records.push(r);
  });
  return shareArrayThrottle(records);
}

function rowToRecords(row: Row, lineNo: number, line: string): JobRecord[] {
  const bad = (what: string): never => {
    throw outputError('squeue', lineNo, what, line);
  };
  const id =
    parseJobId(row.JobArrayID) ?? bad(`JobArrayID ${JSON.stringify(row.JobArrayID)} is not a job id`);
  if (id.kind === 'step') return [];
  const rawId = /^\d+$/.test(row.JobID.trim())
    ? row.JobID.trim()
    : bad(`JobID ${JSON.stringify(row.JobID)} is not a number`);
  const time = (field: 'SubmitTime' | 'StartTime' | 'EndTime'): number | null => {
    const v = parseSlurmTime(row[field]);
    return v === undefined ? bad(`${field} ${JSON.stringify(row[field])} is not a time`) : v;
  };
  const limit = parseDuration(row.TimeLimit);
  const used = parseDuration(row.TimeUsed);
  const exit = squeueExit(row.exit_code);
  const { state, detail } = parseStateText(row.State);
  const reason = textOrNull(row.Reason);
  const workDir = textOrNull(row.WorkDir);
  const name = textOrNull(row.Name);

  const rec: JobRecord = {
    ...emptyRecord(row.JobArrayID.trim(), id.baseId),
    jobIdRaw: rawId,
    name,
    state,
    // squeue has no "CANCELLED by"; its reason (Resources, JobArrayTaskLimit, ...) says more.
    stateDetail: reason === null || reason === 'None' ? detail : reason,
    exitCode: exit.exitCode,
    exitSignal: exit.exitSignal,
    submitTime: time('SubmitTime'),
    startTime: time('StartTime'),
    endTime: time('EndTime'),
    elapsedSeconds:
      used === undefined ? bad(`TimeUsed ${JSON.stringify(row.TimeUsed)} is not a duration`) : used,
    timeLimitMinutes:
      limit === undefined
        ? bad(`TimeLimit ${JSON.stringify(row.TimeLimit)} is not a duration`)
        : limit === null
          ? null
          : Math.round(limit / 60),
    workDir,
    comment: textOrNull(row.Comment),
    node: nodeOrNull(state, row.NodeList),
  };
  const ctx = (taskId: number | null, raw: string | null): StdPathContext => ({
    jobIdRaw: raw,
    arrayJobId: id.baseId,
    arrayTaskId: taskId,
    user: textOrNull(row.UserName),
    name,
    workDir,
  });
  const paths = (c: StdPathContext) => {
    const stdoutPath = resolvePrintedStdPath(textOrNull(row.StdOut), c);
    return { stdoutPath, stderrPath: resolvePrintedStdPath(textOrNull(row.StdErr), c) ?? stdoutPath };
  };

  switch (id.kind) {
    case 'remainder':
      // Not started: no end time, no exit code yet; the raw id printed is the array's own.
      return expandRemainder(
        { ...rec, endTime: null },
        id.baseId,
        id.spec.indices,
        id.spec.throttle,
        (index) => paths(ctx(index, null)),
      );
    case 'task':
      return [{ ...rec, arrayTaskId: id.taskId, ...paths(ctx(id.taskId, rawId)) }];
    default:
      return [{ ...rec, ...paths(ctx(null, rawId)) }];
  }
}

/**
 * exit_code: up to 22.05 a raw wait status ("768" is exit 3), from 23.02 "code:signal" like sacct's ("3:0"),
 * empty when unset. A task that ended before sacct has it is decided on squeue's record, so both forms count.
 */
function squeueExit(text: string): ExitStatus {
  const t = text.trim();
  if (/^\d+$/.test(t)) return decodeWaitStatus(Number(t));
  return parseExitText(t) ?? { exitCode: null, exitSignal: null };
}
