// What bench/resume-latency.ts reads back after the fact (sacct's End and Submit, the agent's events and
// log lines, and what they say about how each end was noticed), how it times the ends it causes, and its
// table.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentHandle } from '../../test/helpers/agent-process.js';
import { fmt, median, table } from './bench-util.js';

export interface AgentEvent {
  at: string;
  kind: string;
  jobId: string | null;
  data: Record<string, unknown> | null;
}

/**
 * sacct's End of one task, or the Submit of the job it belongs to (every task of an array shares it; a
 * task cancelled while pending is listed as "1234_[7]"), as Unix seconds, once slurmdbd has it.
 */
export function sacctTime(jobId: string, field: 'End' | 'Submit'): number | null {
  const arrayId = jobId.split('_')[0] as string;
  const out = execFileSync(
    'sacct',
    ['-X', '--noheader', '--parsable2', `--format=JobID,${field}`, '-j', arrayId],
    { encoding: 'utf8', env: { ...process.env, SLURM_TIME_FORMAT: '%s' } },
  );
  for (const line of out.split('\n')) {
    const [id, t] = line.split('|');
    if (!id || !t || !/^\d+$/.test(t)) continue;
    if (field === 'Submit' ? id.split('_')[0] === arrayId : id === jobId) return Number(t);
  }
  return null;
}

export async function agentEvents(agent: AgentHandle, submissionId: number): Promise<AgentEvent[]> {
  const token = readFileSync(path.join(agent.stateDir, 'api-token'), 'utf8').trim();
  const res = await fetch(`${agent.url}/events?submission=${submissionId}&limit=1000`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET /events: HTTP ${res.status}`);
  return (await res.json()) as AgentEvent[];
}

/** The time (pino, ms) of the agent's first log line with this message. */
export function logTime(agent: AgentHandle, msg: string): number {
  for (const line of agent.output().split('\n')) {
    if (!line.includes(`"msg":"${msg}"`)) continue;
    return (JSON.parse(line) as { time: number }).time;
  }
  throw new Error(`no "${msg}" line from the agent in ${agent.dir}`);
}

/**
 * When to signal each task so that its end falls at evenly spread points of a timer's period (delays of
 * (k + ½)/K of the period before its next tick, in random order): real ends are unrelated to the agent's
 * timers, and signalling at fixed intervals could line them all up with one phase. `origins` date each
 * task's timer (one tick at the origin, then every periodMs).
 */
export function phaseSpreadSchedule(origins: number[], notBefore: number, periodMs: number): number[] {
  const k = origins.length;
  const delays = origins.map((_, j) => ((j + 0.5) / k) * periodMs).sort(() => Math.random() - 0.5);
  return origins.map((origin, j) => {
    const untilTick = delays[j] as number;
    let next = origin;
    while (next - untilTick < notBefore) next += periodMs;
    return next - untilTick;
  });
}

export interface EndTimes {
  /** The first checkpoint line the agent recorded for the attempt, Unix seconds. */
  seen: number | null;
  decided: number | null;
  /** The resubmission's sbatch returned. */
  sent: number | null;
  how: string;
}

/** When the agent saw, decided and resubmitted one ended attempt, from its events. */
export function endTimes(evs: AgentEvent[], jobId: string, index: number, newJobId: string): EndTimes {
  const at = (e: AgentEvent | undefined) => (e ? Date.parse(e.at) / 1000 : null);
  const mine = evs.filter((e) => e.jobId === jobId);
  const seen = at(
    mine.filter((e) => e.kind === 'log.checkpoint').sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0],
  );
  const decided = at(mine.find((e) => e.kind === 'decision'));
  const sent = at(
    evs.find(
      (e) =>
        e.kind === 'resume.submitted' &&
        Array.isArray(e.data?.indices) &&
        (e.data.indices as number[]).includes(index) &&
        e.jobId === newJobId.split('_')[0],
    ),
  );
  // What brought the tracker to look. A checkpoint line seen by the watcher hurries it: a cycle (squeue,
  // sacct: ≥ 0.1 s) and then the decision. When the tracker finds the end on its own, the log is read to
  // its end while deciding, and the checkpoint event comes a few ms before the decision.
  let how = 'tracker schedule';
  if (seen !== null && decided !== null && decided - seen >= 0.05) {
    how = decided - seen < 1 ? 'log line -> hurry' : `log line -> hurry poll (+${fmt(decided - seen, 1)} s)`;
  }
  return { seen, decided, sent, how };
}

/** One ended task: sacct's End and its resubmission's Submit (Unix seconds), and the agent's view. */
export interface LatencyRow {
  task: string;
  untilPollS: number | null;
  end: number;
  submit: number;
  seen: number | null;
  decided: number | null;
  sent: number | null;
  how: string;
}

/** Prints the table and the median, min and max of End -> Submit; returns the median. */
export function reportLatencies(title: string, rows: LatencyRow[]): number {
  const d = (a: number | null, b: number | null) => (a === null || b === null ? '-' : fmt(a - b, 1));
  const lat = rows.map((r) => r.submit - r.end);
  console.log(`\n${title}`);
  console.log(
    table(
      [
        'task -> resubmission',
        'signal->next timer tick s (B: log poll, C: tracker cycle)',
        'End->log line seen s',
        'End->decided s',
        'decided->sbatch done s',
        'End->Submit s',
        'what noticed the end',
      ],
      rows.map((r) => [
        r.task,
        r.untilPollS === null ? '-' : fmt(r.untilPollS, 1),
        d(r.seen, r.end),
        d(r.decided, r.end),
        d(r.sent, r.decided),
        r.submit - r.end,
        r.how,
      ]),
    ),
  );
  const med = median(lat);
  console.log(
    `End -> resubmission Submit: median ${fmt(med, 1)} s, min ${Math.min(...lat)} s, max ${Math.max(...lat)} s ` +
      `(n=${lat.length}; sacct times are whole seconds) — target median ≤ 15 s: ${med <= 15 ? 'met' : 'NOT met'}`,
  );
  return med;
}
