// `ls` and `show` for people: a header per submission, then its tasks grouped into ranges.
import type { ApiEvent, Submission, SubmissionDetail, SubmissionSummary } from '../../agent/api/schemas.js';
import { groupRows, groupTasks, taskRows } from './tasks.js';
import { columns, countsLine, plural, shortTime } from './text.js';

type HeaderOf = Pick<Submission, 'id' | 'name' | 'jobId' | 'origin' | 'createdAt' | 'held' | 'waiting'>;

function header(s: HeaderOf, taskCount: number): string {
  // Kept back by --after or a pipeline: no job yet, and what it waits for.
  if (s.waiting)
    return `#${s.id}  ${s.name ?? '-'}  ${s.waiting.state.toUpperCase()}${s.waiting.blocked ? ' (BLOCKED)' : ''}  since ${shortTime(s.createdAt)}  ${s.waiting.reason}`;
  const held = s.held ? '  HELD' : '';
  const adopted = s.origin === 'adopt' ? ' (adopted)' : '';
  return `#${s.id}  ${s.name ?? '-'}  job ${s.jobId}${adopted}  ${plural(taskCount, 'task')}  since ${shortTime(s.createdAt)}${held}`;
}

/**
 * width: the terminal's, when printing to one; the diagnosis column is cut to fit, never the ids. Each
 * submission comes with its task groups (GET /submissions?view=summary) or with every task (the full list).
 */
export function renderList(
  subs: readonly (Submission | SubmissionSummary)[],
  width?: number,
  filtered = false,
): string {
  if (subs.length === 0 && filtered) return 'no submission matches (ls --all shows archived ones too)\n';
  if (subs.length === 0)
    return 'no submissions yet: emb-client submit -- <sbatch args>, or emb-client adopt JOBID\n';
  const out: string[] = [];
  for (const s of subs) {
    const [count, groups] = 'groups' in s ? [s.taskCount, s.groups] : [s.tasks.length, groupTasks(s.tasks)];
    out.push(
      header(s, count),
      `    ${countsLine(s.counts)}`,
      ...columns(groupRows(groups), '    ', '  ', { width, free: TASK_FREE }),
      '',
    );
  }
  return out.join('\n');
}

/** The diagnosis of a task row (taskRows' last column) is the one free-text column. */
const TASK_FREE = { 4: 'end' } as const;

export function eventLines(events: readonly ApiEvent[], width?: number, indent = ''): string[] {
  return columns(
    events.map((e) => [
      shortTime(e.at),
      e.level,
      e.kind,
      e.submissionId === null ? '' : `#${e.submissionId}`,
      e.jobId ?? '',
      e.message,
    ]),
    indent,
    '  ',
    { width, free: { 5: 'end' } },
  );
}

type DetailTask = SubmissionDetail['tasks'][number];
type DetailAttempt = DetailTask['history'][number];

/** Seconds as squeue prints TIME: M:SS, H:MM:SS, D-HH:MM:SS. */
export function slurmDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number) => String(n).padStart(2, '0');
  if (d) return `${d}-${two(h)}:${two(m)}:${two(s % 60)}`;
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** squeue's and sacct's words: the pending reason, time used and left (of the limit), the node. */
function slurmWords(a: DetailAttempt, now: number): string {
  if (a.slurmState === 'PENDING') return a.stateDetail ? `(${a.stateDetail})` : '';
  if (!a.startedAt) return '';
  const end = a.endedAt ? Date.parse(a.endedAt) : now;
  const used = (end - Date.parse(a.startedAt)) / 1000;
  const limit = a.timeLimitMinutes ?? null;
  const left = !a.endedAt && limit !== null ? `, left ${slurmDuration(limit * 60 - used)}` : '';
  const of = limit === null ? '' : ` of ${slurmDuration(limit * 60)}`;
  return `elapsed ${slurmDuration(used)}${of}${left}${a.node ? ` on ${a.node}` : ''}`;
}

function historyLines(t: DetailTask, now: number): string[] {
  const head = `task ${t.index}  ${t.state}${t.held && t.state !== 'held' ? ' (held)' : ''}  ${plural(t.attempts, 'attempt')}`;
  const lines = [head + (t.reason ? `  — ${t.reason}` : '')];
  if (t.diagnosis) {
    lines.push(`    diagnosis ${t.diagnosis.cause}: ${t.diagnosis.hint}`);
    if (t.diagnosis.line) lines.push(`    log: ${t.diagnosis.line}`);
  }
  const rows = t.history.map((a) => [
    a.jobId,
    a.slurmState + (a.stateDetail && a.slurmState !== 'PENDING' ? ` ${a.stateDetail}` : ''),
    `submitted ${shortTime(a.submittedAt)}`,
    // Slurm's facts only: an attempt that has not started or ended has no such time (never a projection).
    a.startedAt ? `started ${shortTime(a.startedAt)}` : 'not started',
    a.endedAt ? `ended ${shortTime(a.endedAt)}` : '',
    slurmWords(a, now),
    // sacct's ExitCode, code:signal.
    a.exitCode === null ? '' : `exit ${a.exitCode}:${a.exitSignal ?? 0}`,
    a.checkpointSeen ? 'checkpoint' : '',
    a.decision ? `→ ${a.decision}` : '',
  ]);
  lines.push(...columns(rows, '    '));
  return lines;
}

/** A marker as given, and the absolute path it resolved to when that differs. */
function resolvedAs(given: string | null, resolved: string | null): string {
  if (given === null) return '-';
  return resolved === null || resolved === given ? given : `${given} → ${resolved}`;
}

/** How many not-done tasks `show` details before pointing at `show JOBID_INDEX`. */
export const SHOW_TASKS = 30;

export function renderDetail(
  d: SubmissionDetail,
  focus: number | null,
  width?: number,
  now = Date.now(),
): string {
  const out = [header(d, d.tasks.length)];
  out.push(
    ...columns(
      [
        ['cwd', d.cwd],
        ['args', d.args.join(' ')],
        [
          'array',
          d.arraySpec === null
            ? '-'
            : d.arraySpec + (d.throttle === null ? '' : ` (at most ${d.throttle} at once)`),
        ],
        ['done marker', resolvedAs(d.markers.doneMarker, d.markers.resolved.doneMarker)],
        ['progress', resolvedAs(d.markers.progress, d.markers.resolved.progress)],
        ['checkpoint', d.markers.checkpointRegex ?? 'default'],
        ['attempts', d.markers.maxAttempts === null ? 'default cap' : `at most ${d.markers.maxAttempts}`],
        ['resume', d.markers.resume ? 'yes' : 'no (--no-resume)'],
        [
          'environment',
          d.environment === 'agent'
            ? "the agent user's (submitted from another host)"
            : d.environment === 'client'
              ? "the submitting shell's"
              : '-',
        ],
        ...(d.archivedAt ? [['archived', `${shortTime(d.archivedAt)} (ls --all lists it)`]] : []),
        ...d.recipeNotes.map((n) => ['note', n]),
      ],
      '  ',
      '  ',
      { width, free: { 1: 'end' } },
    ),
  );
  if (focus !== null) {
    const t = d.tasks.find((x) => x.index === focus);
    if (!t) return `${out.join('\n')}\n  no task ${focus} in #${d.id}\n`;
    const jobs = new Set(t.history.map((a) => a.jobId));
    const events = d.events.filter((e) => e.jobId !== null && jobs.has(e.jobId));
    out.push(
      '',
      ...historyLines(t, now).map((l) => `  ${l}`),
      '',
      events.length ? '  events:' : '  events: none recent',
    );
    out.push(...eventLines(events, width, '    '));
    return out.join('\n') + '\n';
  }
  out.push(
    '',
    `  ${countsLine(d.counts)}`,
    ...columns(taskRows(d.tasks), '    ', '  ', { width, free: TASK_FREE }),
  );
  const open = d.tasks.filter((t) => t.state !== 'done');
  if (open.length) {
    out.push('', '  tasks not done:');
    for (const t of open.slice(0, SHOW_TASKS)) out.push(...historyLines(t, now).map((l) => `    ${l}`));
    if (open.length > SHOW_TASKS) {
      out.push(`    … ${open.length - SHOW_TASKS} more: emb-client show #${d.id}:INDEX for one task`);
    }
  }
  out.push('', `  events (last ${d.events.length}):`, ...eventLines(d.events, width, '    '));
  return out.join('\n') + '\n';
}
