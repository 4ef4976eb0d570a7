// Bench: how long after a task ends (sacct End) its resubmission is queued (the new job's sacct Submit).
// Target: median ≤ 15 s with default settings.   npm run build; npx tsx bench/resume-latency.ts
// Env: BENCH_TASKS (8, variant A), BENCH_AGENTS (5, variants B, C), BENCH_STAGGER_S (7), BENCH_VARIANTS (A,B,C),
//      BENCH_LOG_LEVEL (the agents' log.level, info), BENCH_AGENT_LOGS (a folder to keep the agents' logs in).
//
// The real built agent with slurm.pollSeconds, watch.pollSeconds, watch.logPollSeconds and
// resume.batchWindowSeconds at their defaults (the config names only workRoot, stateDir, api.listen, and
// log.level; the table titles print the defaults from the agent's schema), runs test/jobs/shard-builder
// (SHARDS 100000, STEP 2), and each task gets what --signal=B:TERM@120 sends, by hand and at staggered
// times: the builder checkpoints and exits 0. Three variants:
//   A  defaults, one agent, one array of BENCH_TASKS tasks. Its logs are on a local disk here, so
//      watch.mode auto follows them with inotify events.
//   B  the same, but watch.mode poll: what auto picks on Lustre (Betzy), where logs are read every
//      watch.logPollSeconds. One agent per task (BENCH_AGENTS of them), so every end is an isolated one: a
//      checkpoint seen in one task's log hurries the tracker for 3 minutes, which would speed up the ends
//      of the other tasks of the same agent. Ends are placed at evenly spread phases of each agent's log
//      poll (see phaseSpreadSchedule), as real ends fall at any phase.
//   C  defaults as A (events), but tasks are still pending when the agent first sees them (--begin), so
//      their logs are followed before they exist, as for most tasks of a throttled array. One agent per
//      measured task (isolated ends), each with an array of 2: index 0 is never signalled, index 1 is.
//      Ends are spread over the tracker's cycle.
// Tasks are signalled with the resume harness's signalBatch, which names a task by its raw id unless that is
// the array's own (scancel would signal every task). Each resubmission is cancelled as
// soon as it is recorded (it would run for hours); every job is cancelled at the end.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigSchema } from '../agent/config/schema.js';
import { cancelJobsFrom, startAgent } from '../test/helpers/agent-process.js';
import { clusterProblem } from '../test/helpers/cluster.js';
import { shards, signalBatch, submitBuilder } from '../test/helpers/resume-harness.js';
import { metricsOf, requireBuild, sample, sleep, until } from './lib/bench-util.js';
import {
  logTime,
  phaseSpreadSchedule,
  reportLatencies,
  type LatencyRow as Row,
} from './lib/resume-timing.js';
import { awaitResubmissions, measure, type Task } from './lib/resume-tasks.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 8);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 5);
const STAGGER_MS = Number(process.env.BENCH_STAGGER_S ?? 7) * 1000;
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'A,B,C').split(',');
/** Variant C: tasks start this long after submission, so the agent tracks their logs before they exist. */
const BEGIN_S = 15;
const C_AGENTS = Math.min(AGENTS, 4);
// The defaults under test, from the agent's own schema, so the titles and the phase plan follow it.
const D = ConfigSchema.parse({});
const LOG_POLL_MS = D.watch.logPollSeconds * 1000;
const defaultsText =
  `slurm.pollSeconds ${D.slurm.pollSeconds}, watch.pollSeconds ${D.watch.pollSeconds}, ` +
  `watch.logPollSeconds ${D.watch.logPollSeconds}, resume.batchWindowSeconds ${D.resume.batchWindowSeconds}`;
// Only the settings under test are left out; the rest of startAgent's test defaults are replaced by {}.
const DEFAULTS = { slurm: {}, watch: {}, resume: {}, log: { level: process.env.BENCH_LOG_LEVEL ?? 'info' } };

/** How the ends are timed. */
interface Plan {
  /** null: ends STAGGER_MS apart. Else ends spread over a period of the named timer. */
  phase: null | {
    what: string;
    periodMs: number;
    /** The log line that dates the timer's first tick. */
    originMsg: string;
  };
  /** Extra sbatch options. */
  extra: string[];
  /** Array indices before the measured ones, submitted with them and never signalled. */
  decoys: number;
}

async function startTasks(
  root: string,
  agents: number,
  perAgent: number,
  config: Record<string, unknown>,
  plan: Plan,
): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let a = 0; a < agents; a++) {
    const dir = path.join(root, `agent-${a}`);
    mkdirSync(dir);
    const agent = await startAgent(dir, config);
    const job = await submitBuilder(agent, {
      array: `0-${plan.decoys + perAgent - 1}`,
      time: '10',
      env: { SHARDS: '100000', STEP: '2' },
      extra: plan.extra,
    });
    const phaseOrigin = plan.phase ? logTime(agent, plan.phase.originMsg) : 0;
    for (let i = plan.decoys; i < plan.decoys + perAgent; i++) {
      tasks.push({ agent, phaseOrigin, submissionJob: job, index: i, jobId: `${job}_${i}`, signalledAt: 0 });
    }
  }
  // Running, its traps set (a shard written), and its log followed by the agent: a task that runs for
  // hours is long past all three when it reaches its time limit.
  await until(
    async () => tasks.every((t) => shards(t.agent, t.index).length >= 1),
    'every task to write a shard',
    180_000,
    500,
  );
  for (const agent of new Set(tasks.map((t) => t.agent))) {
    const n = tasks.filter((t) => t.agent === agent).length + plan.decoys;
    await until(
      async () => sample(await metricsOf(agent), 'emb_watch_logs_tracked') >= n,
      'the agent to follow every log',
      90_000,
      500,
    );
  }
  return tasks;
}

async function runVariant(
  name: string,
  root: string,
  agents: number,
  perAgent: number,
  config: Record<string, unknown>,
  plan: Plan,
): Promise<Row[]> {
  const dir = path.join(root, name);
  mkdirSync(dir);
  let tasks: Task[] = [];
  try {
    tasks = await startTasks(dir, agents, perAgent, config, plan);
    const t0 = Date.now() + 1000;
    const period = plan.phase?.periodMs ?? 0;
    const due = plan.phase
      ? phaseSpreadSchedule(
          tasks.map((t) => t.phaseOrigin),
          t0,
          period,
        )
      : tasks.map((_, j) => t0 + j * STAGGER_MS + Math.random() * 2000);
    const order = tasks.map((t, j) => ({ t, at: due[j] as number })).sort((a, b) => a.at - b.at);
    for (const { t, at } of order) {
      await sleep(Math.max(0, at - Date.now()));
      t.signalledAt = Date.now();
      if (plan.phase) t.untilPollS = (period - ((t.signalledAt - t.phaseOrigin) % period)) / 1000;
      signalBatch(t.jobId);
    }
    await awaitResubmissions(tasks, 150_000);
    return await measure(tasks);
  } finally {
    cancelJobsFrom(dir);
    for (const [i, agent] of [...new Set(tasks.map((t) => t.agent))].entries()) {
      const code = await agent.stop();
      if (process.env.BENCH_AGENT_LOGS) {
        mkdirSync(process.env.BENCH_AGENT_LOGS, { recursive: true });
        writeFileSync(path.join(process.env.BENCH_AGENT_LOGS, `${name}-agent-${i}.log`), agent.output());
      }
      if (code !== 0) {
        const how = code === null ? `by ${agent.proc.signalCode}` : code;
        console.error(`agent in ${agent.dir} exited ${how}:\n${agent.output().slice(-3000)}`);
      }
    }
  }
}

async function main(): Promise<void> {
  requireBuild();
  const problem = await clusterProblem();
  if (problem) throw new Error(problem);
  const root = mkdtempSync(path.join(tmpdir(), 'emb-bench-resume-'));
  const started = Date.now();
  try {
    const results: [string, Row[]][] = [];
    const variants: {
      key: string;
      title: string;
      agents: number;
      per: number;
      config: object;
      plan: Plan;
    }[] = [
      {
        key: 'A',
        title:
          `A: defaults (${defaultsText}, watch.mode auto = inotify events on this local disk); ` +
          `one agent, an array of ${TASKS}, ends ${STAGGER_MS / 1000} s apart`,
        agents: 1,
        per: TASKS,
        config: DEFAULTS,
        plan: { phase: null, extra: [], decoys: 0 },
      },
      {
        key: 'B',
        title:
          `B: defaults but watch.mode poll (what auto picks on Lustre: logs read every ` +
          `${D.watch.logPollSeconds} s), ends at evenly spread phases of each agent's log poll; ` +
          `${AGENTS} agents with one task each, so every end is isolated`,
        agents: AGENTS,
        per: 1,
        config: { ...DEFAULTS, watch: { mode: 'poll' } },
        plan: {
          phase: { what: 'log poll', periodMs: LOG_POLL_MS, originMsg: 'emb-agent is ready' },
          extra: [],
          decoys: 0,
        },
      },
      {
        key: 'C',
        title:
          `C: defaults, as A (events on this local disk), but tasks still PENDING when the agent first ` +
          `saw them (--begin=now+${BEGIN_S}: their logs did not exist yet); ${C_AGENTS} agents, each with ` +
          `an array of 2 of which index 1 is signalled (index 0 runs on), ends at evenly spread phases of ` +
          `the tracker's ${D.slurm.pollSeconds} s cycle`,
        agents: C_AGENTS,
        per: 1,
        config: DEFAULTS,
        plan: {
          phase: { what: 'tracker cycle', periodMs: D.slurm.pollSeconds * 1000, originMsg: 'submitted' },
          extra: [`--begin=now+${BEGIN_S}`],
          decoys: 1,
        },
      },
    ];
    for (const v of variants.filter((x) => VARIANTS.includes(x.key))) {
      const rows = await runVariant(
        v.key,
        root,
        v.agents,
        v.per,
        v.config as Record<string, unknown>,
        v.plan,
      );
      console.error(`[${((Date.now() - started) / 1000).toFixed(0)} s] variant ${v.key} done`);
      results.push([v.title, rows]);
    }
    for (const [title, rows] of results) reportLatencies(title, rows);
    console.log(`\nrun took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    cancelJobsFrom(root);
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
