// sacct --parsable2 output: the default accounting path, because its columns have been stable since
// 21.08 (SubmitLine) while sacct --json changed shape in every release, and because it is cheaper
// (firecrest measured sacct --json about 4x slower).
import { z } from 'zod';
import { parseExitText } from './exit-code.js';
import { parseJobId } from './job-id.js';
import {
  emptyRecord,
  expandRemainder,
  shareArrayThrottle,
  latestPerJob,
  nodeOrNull,
  outputError,
  textOrNull,
} from './records.js';
import { parseStateText } from './state.js';
import { parseCount, parseLimitMinutes, parseSlurmTime } from './time.js';
import type { JobRecord } from './types.js';

/** SubmitLine is last: it holds the user's argv and may contain the delimiter, so it takes the rest. */
const SACCT_FIELDS = [
  'JobID',
  'JobIDRaw',
  'JobName',
  'State',
  'ExitCode',
  'Submit',
  'Start',
  'End',
  'ElapsedRaw',
  'TimelimitRaw',
  'WorkDir',
  'Comment',
  'NodeList',
  'SubmitLine',
] as const;

/**
 * The field delimiter. '|' (the default) also appears in comments and submit lines; the ASCII unit
 * separator does not, and it lets a submit line with a newline in it be joined back.
 */
export const SACCT_DELIMITER = '\x1f';

/** What one sacct call selects: given jobs (array ids cover their tasks), or a user's jobs since a time. */
export type AccountingSelector =
  { jobIds: string[]; user?: string | null } | { since: number; user: string | null };

/** argv for one sacct call: allocations only (-X), no header, our delimiter. */
export function sacctTextArgs(selector: AccountingSelector): string[] {
  return [
    '--parsable2',
    '--noheader',
    '-X',
    `--delimiter=${SACCT_DELIMITER}`,
    `--format=${SACCT_FIELDS.join(',')}`,
    ...sacctSelection(selector),
  ];
}

/** The selecting options, shared with the JSON form. */
function sacctSelection(selector: AccountingSelector): string[] {
  // With -j, --user still filters: another user's job id yields nothing (adopt relies on it).
  const user = selector.user == null ? [] : [`--user=${selector.user}`];
  if ('jobIds' in selector) return ['-j', selector.jobIds.join(','), ...user];
  return [...user, `--starttime=${localIsoTime(selector.since)}`];
}

/**
 * sacct reads --starttime in the local time zone of its process, which is ours (it inherits our TZ);
 * it does not accept Unix seconds.
 */
function localIsoTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const Row = z.object({
  JobID: z.string().min(1),
  JobIDRaw: z.string(),
  JobName: z.string(),
  State: z.string().min(1),
  ExitCode: z.string(),
  Submit: z.string(),
  Start: z.string(),
  End: z.string(),
  ElapsedRaw: z.string(),
  TimelimitRaw: z.string(),
  WorkDir: z.string(),
  Comment: z.string(),
  NodeList: z.string(),
  SubmitLine: z.string(),
});
type Row = z.infer<typeof Row>;

/**
 * Parses sacct output into one record per job or task (pending remainders expanded, duplicates of a
 * requeued job reduced to the latest). Accepts '|' as the delimiter too (fixtures recorded without
 * --delimiter), in which case a '|' inside Comment cannot be told apart and SubmitLine takes the rest.
 */
export function parseSacctText(stdout: string, delimiter: string = SACCT_DELIMITER): JobRecord[] {
  const records: JobRecord[] = [];
  for (const { lineNo, line } of logicalLines(stdout, delimiter)) {
    const row = splitRow(line, lineNo, delimiter);
    // One by one: a spread of a large remainder (100k+ tasks) overflows the call stack.
    for (const r of rowToRecords(row, lineNo, line)) records.push(r);
  }
  return shareArrayThrottle(latestPerJob(records));
}

/**
 * Physical lines grouped into records. With our delimiter a line without any delimiter can only be the
 * continuation of the previous record's SubmitLine (an argv holding a newline); with '|' it cannot be
 * told apart, and such a line is reported as garbage.
 */
function logicalLines(stdout: string, delimiter: string): Array<{ lineNo: number; line: string }> {
  const out: Array<{ lineNo: number; line: string }> = [];
  stdout.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const last = out.at(-1);
    if (delimiter === SACCT_DELIMITER && last !== undefined && !line.includes(delimiter)) {
      last.line = `${last.line}\n${line}`;
    } else if (line.trim() !== '') {
      out.push({ lineNo: i + 1, line });
    }
  });
  // Blank lines (the output's final newline) joined a record as empty continuations.
  for (const rec of out) rec.line = rec.line.replace(/\n+$/, '');
  return out;
}

function splitRow(line: string, lineNo: number, delimiter: string): Row {
  const parts = line.split(delimiter);
  const n = SACCT_FIELDS.length;
  if (parts.length < n) {
    throw outputError('sacct', lineNo, `expected ${n} fields, got ${parts.length}`, line);
  }
  const fields = [...parts.slice(0, n - 1), parts.slice(n - 1).join(delimiter)];
  const obj = Object.fromEntries(SACCT_FIELDS.map((name, i) => [name, fields[i] ?? '']));
  const parsed = Row.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw outputError('sacct', lineNo, `field ${String(issue?.path[0] ?? '?')} is empty`, line);
  }
  return parsed.data;
}

function rowToRecords(row: Row, lineNo: number, line: string): JobRecord[] {
  const bad = (what: string): never => {
    throw outputError('sacct', lineNo, what, line);
  };
  const id = parseJobId(row.JobID) ?? bad(`JobID ${JSON.stringify(row.JobID)} is not a job id`);
  // -X should leave no steps; a site wrapper might not pass it through.
  if (id.kind === 'step') return [];

  const { state, detail } = parseStateText(row.State);
  const exit =
    parseExitText(row.ExitCode) ?? bad(`ExitCode ${JSON.stringify(row.ExitCode)} is not "code:signal"`);
  const time = (field: 'Submit' | 'Start' | 'End'): number | null => {
    const v = parseSlurmTime(row[field]);
    return v === undefined ? bad(`${field} ${JSON.stringify(row[field])} is not a time`) : v;
  };
  const elapsed = parseCount(row.ElapsedRaw);
  const limit = parseLimitMinutes(row.TimelimitRaw);

  const base = emptyRecord(row.JobID, id.baseId);
  const rec: JobRecord = {
    ...base,
    jobIdRaw: textOrNull(row.JobIDRaw),
    name: textOrNull(row.JobName),
    state,
    stateDetail: detail,
    exitCode: exit.exitCode,
    exitSignal: exit.exitSignal,
    submitTime: time('Submit'),
    startTime: time('Start'),
    endTime: time('End'),
    elapsedSeconds:
      elapsed === undefined ? bad(`ElapsedRaw ${JSON.stringify(row.ElapsedRaw)} is not a number`) : elapsed,
    timeLimitMinutes:
      limit === undefined ? bad(`TimelimitRaw ${JSON.stringify(row.TimelimitRaw)} is not a limit`) : limit,
    workDir: textOrNull(row.WorkDir),
    comment: textOrNull(row.Comment),
    submitLine: textOrNull(row.SubmitLine),
    node: nodeOrNull(state, row.NodeList),
  };

  switch (id.kind) {
    case 'task':
      return [{ ...rec, arrayTaskId: id.taskId }];
    case 'remainder':
      return expandRemainder(rec, id.baseId, id.spec.indices, id.spec.throttle, () => ({
        stdoutPath: null,
        stderrPath: null,
      }));
    default:
      return [rec];
  }
}
