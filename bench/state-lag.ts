// Bench: how fresh the task states are at the default 60 s scheduler interval: Slurm's Start and End
// (sacct) against when the agent recorded the change (its events) and when `emb-client ls` first showed it.
//   npm run build; npx tsx bench/state-lag.ts        Target: start and end shown within 10 s.
// Env: BENCH_TASKS (6), BENCH_THROTTLE (2), BENCH_RUN_S (about 9: SHARDS 3 × STEP 3), BENCH_LS_S (5).
//
// The real built agent with the defaults under test (slurm.pollSeconds, watch.logPollSeconds; the table
// titles print them from the schema) and slurm.binDir pointing at wrappers that count every scheduler call.
// One array of BENCH_TASKS tasks of test/jobs/shard-builder, throttled so that starts and ends fall at
// many phases of the agent's timers. Two runs, one agent each:
//   quiet   nobody asks: the lag is what the agent records by itself (a log appearing nudges the tracker;
//           an ordinary end writes nothing to the log, so it waits for the next cycle);
//   ls      a user runs `emb-client ls` every BENCH_LS_S seconds: what they see (a read refreshes state
//           older than 10 s with one shared cycle).
// Scheduler calls are counted as squeue and sacct per cycle (each cycle is one of each) and over an idle
// window after every task is done (none expected).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigSchema } from '../agent/config/schema.js';
import { startAgent, type AgentHandle } from '../test/helpers/agent-process.js';
import { clusterProblem } from '../test/helpers/cluster.js';
import { submitBuilder, submission, type LsSubmission } from '../test/helpers/resume-harness.js';
import { fmt, median, requireBuild, sleep, table, until } from './lib/bench-util.js';
import { makeWrappers, wrapperCounts } from './lib/counting-wrappers.js';
import { agentEvents } from './lib/resume-timing.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 6);
const THROTTLE = Number(process.env.BENCH_THROTTLE ?? 2);
const STEP_S = Math.max(1, Math.round(Number(process.env.BENCH_RUN_S ?? 9) / 3));
const LS_MS = Number(process.env.BENCH_LS_S ?? 5) * 1000;
const IDLE_MS = 20_000;
const D = ConfigSchema.parse({});
const defaultsText = `slurm.pollSeconds ${D.slurm.pollSeconds}, watch.logPollSeconds ${D.watch.logPollSeconds}`;

/** sacct's Start and End of every task of the array, Unix ms. */
function slurmTimes(arrayId: string): Map<string, { start: number | null; end: number | null }> {
  const out = execFileSync(
    'sacct',
    ['-X', '--noheader', '--parsable2', '--format=JobID,Start,End', '-j', arrayId],
    { encoding: 'utf8', env: { ...process.env, SLURM_TIME_FORMAT: '%s' } },
  );
  const times = new Map<string, { start: number | null; end: number | null }>();
  for (const line of out.split('\n')) {
    const [id, start, end] = line.split('|');
    if (!id) continue;
    const ms = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) * 1000 : null);
    times.set(id, { start: ms(start), end: ms(end) });
  }
  return times;
}

interface Run {
  name: string;
  startLag: number[];
  endLag: number[];
  calls: { squeue: number; sacct: number };
  idleCalls: number;
}

async function run(name: 'quiet' | 'ls', root: string): Promise<Run> {
  const dir = path.join(root, name);
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'calls.log');
  makeWrappers(bin, log);
  const agent: AgentHandle = await startAgent(dir, {
    slurm: { binDir: bin },
    watch: {},
    resume: {},
    log: { level: 'info' },
  });
  try {
    const jobId = await submitBuilder(agent, {
      array: `0-${TASKS - 1}%${THROTTLE}`,
      env: { SHARDS: '3', STEP: String(STEP_S) },
    });
    // What the user saw, and when: first time `ls` showed each task running (or past it) and done.
    const seenRunning = new Map<number, number>();
    const seenDone = new Map<number, number>();
    const sub = await until(() => submission(agent, jobId), 'the submission', 30_000);
    const allDone = (s: LsSubmission | undefined) => s?.tasks.every((x) => x.state === 'done');
    for (;;) {
      if (name === 'ls') {
        const s = await submission(agent, jobId);
        const now = Date.now();
        for (const task of s?.tasks ?? []) {
          if (task.state !== 'queued' && !seenRunning.has(task.index)) seenRunning.set(task.index, now);
          if (task.state === 'done' && !seenDone.has(task.index)) seenDone.set(task.index, now);
        }
        if (allDone(s)) break;
        await sleep(LS_MS);
      } else {
        // Quiet: look only at the events, which do not refresh anything.
        const evs = await agentEvents(agent, sub.id);
        if (evs.filter((e) => e.kind === 'decision').length >= TASKS) break;
        await sleep(2_000);
      }
    }
    const busy = wrapperCounts(log);
    await sleep(IDLE_MS);
    const idle = wrapperCounts(log);
    const slurm = slurmTimes(jobId);
    const evs = await agentEvents(agent, sub.id);
    const startLag: number[] = [];
    const endLag: number[] = [];
    for (let i = 0; i < TASKS; i++) {
      const id = `${jobId}_${i}`;
      const t = slurm.get(id);
      if (!t?.start || !t.end) continue;
      const ran = evs.find((e) => e.jobId === id && e.kind === 'task.state');
      const decided = evs.find((e) => e.jobId === id && e.kind === 'decision');
      const shownStart = name === 'ls' ? seenRunning.get(i) : ran && Date.parse(ran.at);
      const shownEnd = name === 'ls' ? seenDone.get(i) : decided && Date.parse(decided.at);
      // A task that started and ended between two looks may never be recorded running: its end counts.
      startLag.push(((shownStart ?? shownEnd ?? NaN) - t.start) / 1000);
      endLag.push(((shownEnd ?? NaN) - t.end) / 1000);
    }
    return {
      name,
      startLag,
      endLag,
      calls: { squeue: busy.squeue, sacct: busy.sacct },
      idleCalls: idle.squeue + idle.sacct - busy.squeue - busy.sacct,
    };
  } finally {
    await agent.stop();
  }
}

async function main(): Promise<void> {
  const problem = await clusterProblem();
  if (problem) throw new Error(`no Slurm test cluster: ${problem}`);
  requireBuild();
  const root = mkdtempSync(path.join(tmpdir(), 'emb-state-lag-'));
  try {
    const runs = [await run('quiet', root), await run('ls', root)];
    console.log(
      `\n${TASKS} tasks (--array=0-${TASKS - 1}%${THROTTLE}, about ${3 * STEP_S} s each); ${defaultsText}; ` +
        `ls every ${LS_MS / 1000} s in the "ls" run. Lag = agent's time - sacct's (s; sacct has 1 s resolution).`,
    );
    const s = (xs: number[]) => `${fmt(median(xs), 1)} / ${fmt(Math.max(...xs), 1)}`;
    console.log(
      table(
        [
          'run',
          'start lag median / max',
          'end lag median / max',
          'squeue calls',
          'sacct calls',
          'calls per cycle',
          `calls in ${IDLE_MS / 1000} s idle`,
        ],
        runs.map((r) => [
          r.name === 'quiet' ? 'quiet (recorded)' : 'ls (shown)',
          s(r.startLag),
          s(r.endLag),
          r.calls.squeue,
          r.calls.sacct,
          fmt((r.calls.squeue + r.calls.sacct) / Math.max(r.calls.sacct, 1), 1),
          r.idleCalls,
        ]),
      ),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
