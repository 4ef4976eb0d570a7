// Bench: resident memory and CPU of an idle agent with 10,000 tasks in its database and the watcher bench's
// shard tree (100,000 files in 1,000 folders) to watch. Targets: ≤ 100 MB and ≤ 0.5 % of one core.
//   npm run build; npx tsx bench/footprint.ts
// Env: BENCH_SAMPLE_S (180), BENCH_SETTLE_S (30), BENCH_DIR (where to build the tree; default the OS temp
//      dir), BENCH_TASKS (10000), BENCH_FOLDERS (1000), BENCH_FILES (100 per folder), BENCH_POLL30=0 (leaves
//      out the agent at the default watch.pollSeconds 30, whose first scan takes about 5 minutes).
//
// The real built agent (node dist/agent/cli.js run) runs as loaded agents side by side over one tree, each
// with its own copy of the seeded database: at the default watch.pollSeconds 30 (the target's setting), and
// at 5 s (the watcher bench's interval, six times the stats) with and without --max-semi-space-size=4 (given
// through NODE_OPTIONS); and beside them a baseline agent with an empty database and no shard folder, for
// what the rest costs. Every task in the database has ended and been decided, so the agent asks Slurm nothing. Once
// every shard is counted and statted, and BENCH_SETTLE_S more, /proc/PID/status VmRSS and /proc/PID/stat
// utime+stime are sampled every 5 s for BENCH_SAMPLE_S; nothing talks to the agents meanwhile. Each is then
// stopped with SIGTERM and must exit 0.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../agent/db/open.js';
import { createRepos } from '../agent/db/repos/index.js';
import { startAgent, type AgentHandle } from '../test/helpers/agent-process.js';
import {
  CLOCK_TICKS,
  cpuTicks,
  fmt,
  median,
  metricsOf,
  procStatusMb,
  requireBuild,
  sleep,
  table,
  until,
} from './lib/bench-util.js';
import { seedFinalTasks } from './lib/seed-final.js';
import { generateShardTree } from './lib/shard-tree.js';

const SAMPLE_S = Number(process.env.BENCH_SAMPLE_S ?? 180);
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 30);
const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const FOLDERS = Number(process.env.BENCH_FOLDERS ?? 1000);
const FILES = Number(process.env.BENCH_FILES ?? 100);
const SAMPLE_EVERY_MS = 5000;
const MIB = 1024 * 1024;

interface Variant {
  name: string;
  flags: string;
  pollSeconds: number;
  /** false: an empty database and no shard folder, what the agent costs with nothing to do. */
  loaded?: false;
}

const VARIANTS: Variant[] = [
  { name: 'semi-space 4, poll 5 s', flags: '--max-semi-space-size=4', pollSeconds: 5 },
  { name: 'node defaults, poll 5 s', flags: '', pollSeconds: 5 },
  { name: 'baseline: empty db, no shards', flags: '', pollSeconds: 5, loaded: false },
  // At 30 s the first scan's stats, spread over cycles, take ~4.5 minutes.
  ...(process.env.BENCH_POLL30 !== '0'
    ? [{ name: 'semi-space 4, poll 30 s', flags: '--max-semi-space-size=4', pollSeconds: 30 }]
    : []),
];

interface Run {
  v: Variant;
  agent: AgentHandle;
  startedAt: number;
  steadyAfterS: number;
  rss: number[];
  anon: number[];
  file: number[];
  cpu: { at: number; ticks: number }[];
}

async function steady(run: Run, shards: number): Promise<void> {
  await until(
    async () => {
      const m = await metricsOf(run.agent);
      let counted = 0;
      for (const [k, v] of m) if (k.startsWith('emb_shards{')) counted += v;
      return counted >= shards && m.get('emb_watch_stats_pending') === 0;
    },
    `${run.v.name}: every shard counted and statted`,
    300_000,
    1000,
  );
  run.steadyAfterS = (Date.now() - run.startedAt) / 1000;
}

async function main(): Promise<void> {
  requireBuild();
  const root = mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'emb-bench-footprint-'));
  const runs: Run[] = [];
  try {
    let t = Date.now();
    const tree = path.join(root, 'shards');
    generateShardTree(tree, FOLDERS, FILES);
    const seedDir = path.join(root, 'seed');
    mkdirSync(seedDir);
    const { db } = openDatabase(path.join(seedDir, 'agent.db'), { journal: 'wal' });
    seedFinalTasks(createRepos(db), TASKS);
    db.close();
    console.error(
      `tree of ${FOLDERS * FILES} files and a database of ${TASKS} ended tasks in ${Date.now() - t} ms`,
    );

    for (const [i, v] of VARIANTS.entries()) {
      const dir = path.join(root, `agent-${i}`);
      mkdirSync(path.join(dir, 'state'), { recursive: true });
      if (v.loaded !== false) copyFileSync(path.join(seedDir, 'agent.db'), path.join(dir, 'state/agent.db'));
      const shardDirs = v.loaded === false ? [] : [{ path: `${tree}/*`, pattern: '*.tar' }];
      const startedAt = Date.now();
      const agent = await startAgent(
        dir,
        {
          slurm: {},
          resume: {},
          log: { level: 'info' },
          watch: { pollSeconds: v.pollSeconds, shardDirs },
        },
        v.flags ? { NODE_OPTIONS: v.flags } : {},
      );
      runs.push({ v, agent, startedAt, steadyAfterS: NaN, rss: [], anon: [], file: [], cpu: [] });
    }
    await Promise.all(runs.map((r) => steady(r, r.v.loaded === false ? 0 : FOLDERS * FILES)));
    await sleep(SETTLE_S * 1000);

    t = Date.now();
    while (Date.now() - t <= SAMPLE_S * 1000) {
      for (const r of runs) {
        const pid = r.agent.proc.pid as number;
        r.rss.push(procStatusMb(pid, 'VmRSS'));
        r.anon.push(procStatusMb(pid, 'RssAnon'));
        r.file.push(procStatusMb(pid, 'RssFile'));
        r.cpu.push({ at: performance.now(), ticks: cpuTicks(pid) });
      }
      await sleep(SAMPLE_EVERY_MS);
    }

    const rows = [];
    for (const r of runs) {
      const pid = r.agent.proc.pid as number;
      const hwm = procStatusMb(pid, 'VmHWM');
      const first = r.cpu[0] as { at: number; ticks: number };
      const last = r.cpu.at(-1) as { at: number; ticks: number };
      const cpuPct = ((last.ticks - first.ticks) / CLOCK_TICKS / ((last.at - first.at) / 1000)) * 100;
      const m = await metricsOf(r.agent);
      const code = await r.agent.stop('SIGTERM');
      rows.push([
        r.v.name,
        r.v.flags || '(none)',
        fmt(r.steadyAfterS, 0),
        fmt(median(r.rss), 0),
        fmt(Math.max(...r.rss), 0),
        `${fmt(median(r.anon), 0)} / ${fmt(median(r.file), 0)}`,
        fmt(hwm, 0),
        fmt(cpuPct, 2),
        `${fmt((m.get('nodejs_heap_size_used_bytes') ?? NaN) / MIB, 0)} / ${fmt((m.get('nodejs_heap_size_total_bytes') ?? NaN) / MIB, 0)}`,
        `${m.get('emb_watch_stats_per_cycle') ?? '?'}`,
        code === null ? `signal ${r.agent.proc.signalCode}` : code,
      ]);
    }
    console.log(
      `\nidle agent: ${TASKS} ended tasks in its database, watching ${FOLDERS * FILES} files in ${FOLDERS} folders; ` +
        `${runs.length} agents side by side, sampled every ${SAMPLE_EVERY_MS / 1000} s for ${SAMPLE_S} s ` +
        `after steady state + ${SETTLE_S} s; ${os.cpus().length} CPUs, node ${process.version}`,
    );
    console.log(
      table(
        [
          'variant',
          'node flags',
          'steady after s',
          'RSS steady MiB (median)',
          'RSS max in window MiB',
          'anon / file MiB',
          'VmHWM (peak since start) MiB',
          'CPU % of one core',
          'heap used / reserved MiB (at end)',
          'stats per cycle',
          'exit on SIGTERM',
        ],
        rows,
      ),
    );
    console.log('targets: RSS ≤ 100 MB (95.4 MiB), CPU ≤ 0.5 % of one core, exit 0');
  } finally {
    for (const r of runs) if (r.agent.proc.exitCode === null) await r.agent.stop('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
