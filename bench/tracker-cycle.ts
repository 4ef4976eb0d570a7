// Bench: the agent's own CPU per tracker cycle as the number of live tasks grows (parsing squeue and sacct,
// merging, writing what changed), without Slurm's share. One throttled array of N tasks: 50 running, the
// rest pending (squeue here prints every task on a line of its own, the worst case; sacct one remainder row).
// The real tracker, repositories and SlurmAdapter in-process, in front of fake squeue/sacct executables
// that print that output.   npx tsx bench/tracker-cycle.ts
// Env: BENCH_NS (100,1000,9000), BENCH_CYCLES (5 measured, after 2 to settle).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../agent/db/open.js';
import { createRepos, type Repos } from '../agent/db/repos/index.js';
import { silentLogger } from '../agent/log.js';
import { SlurmAdapter } from '../agent/slurm/adapter.js';
import { TaskLife } from '../agent/tasks/life.js';
import { Tracker } from '../agent/tracker/tracker.js';
import { systemClock } from '../agent/clock.js';
import { FakeSlurm } from '../test/helpers/fake-slurm.js';
import { seedArray } from '../test/helpers/seed-array.js';
import { fmt, median, table } from './lib/bench-util.js';

const NS = (process.env.BENCH_NS ?? '100,1000,9000').split(',').map(Number);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 5);
const RUNNING = 50;
const ARRAY = '5000';
const US = '\x1f';
const NOW_S = Math.floor(Date.now() / 1000);

function squeueOut(n: number): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const running = i < RUNNING;
    rows.push(
      [
        `${ARRAY}_${i}`,
        running ? String(Number(ARRAY) + 1 + i) : ARRAY,
        ARRAY,
        String(i),
        'me',
        'build',
        running ? 'RUNNING' : 'PENDING',
        running ? 'None' : 'JobArrayTaskLimit',
        '0',
        String(NOW_S - 600),
        running ? String(NOW_S - 300) : 'N/A',
        'N/A',
        '1:00:00',
        running ? '5:00' : '0:00',
        '/w',
        '/w/logs/%x_%A_%a.out',
        '/w/logs/%x_%A_%a.out',
        '(null)',
        running ? 'c1-1' : '',
        '',
      ].join(US),
    );
  }
  return `${rows.join('\n')}\n`;
}

function sacctOut(n: number): string {
  const row = (id: string, raw: string, state: string, start: string) =>
    [
      id,
      raw,
      'build',
      state,
      '0:0',
      String(NOW_S - 600),
      start,
      'Unknown',
      '300',
      '60',
      '/w',
      '',
      state === 'PENDING' ? 'None assigned' : 'c1-1',
      'sbatch b.sbatch',
    ].join(US);
  const rows: string[] = [];
  for (let i = 0; i < Math.min(n, RUNNING); i++)
    rows.push(row(`${ARRAY}_${i}`, String(Number(ARRAY) + 1 + i), 'RUNNING', String(NOW_S - 300)));
  if (n > RUNNING) rows.push(row(`${ARRAY}_[${RUNNING}-${n - 1}%${RUNNING}]`, ARRAY, 'PENDING', 'Unknown'));
  return `${rows.join('\n')}\n`;
}

function seed(repos: Repos, n: number): void {
  repos.db.transaction(() => {
    seedArray(repos, {
      firstJobId: ARRAY,
      n,
      args: [`--array=0-${n - 1}%${RUNNING}`, 'b.sbatch'],
      throttle: RUNNING,
      createdAt: Date.now(),
    });
  })();
}

async function measure(n: number): Promise<(string | number)[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'emb-bench-tracker-'));
  try {
    const fake = new FakeSlurm(dir);
    fake.set('squeue', { stdout: squeueOut(n) });
    fake.set('sacct', { stdout: sacctOut(n) });
    const { db } = openDatabase(path.join(dir, 'agent.db'), { journal: 'wal' });
    const repos = createRepos(db);
    seed(repos, n);
    let logsKnown = 0;
    const tracker = new Tracker({
      repos,
      life: new TaskLife({ repos, clock: systemClock, logger: silentLogger() }),
      scheduler: new SlurmAdapter({ timeoutMs: 30_000, binDir: dir, user: 'me', logger: silentLogger() }),
      clock: systemClock,
      logger: silentLogger(),
      pollMs: 60_000,
      hooks: { onEnded: async () => undefined, onLogsKnown: (a) => void (logsKnown += a.length) },
    });
    const cpuMs: number[] = [];
    for (let c = 0; c < CYCLES + 2; c++) {
      const before = process.cpuUsage();
      await tracker.cycle();
      const used = process.cpuUsage(before);
      if (c >= 2) cpuMs.push((used.user + used.system) / 1000);
    }
    db.close();
    const m = median(cpuMs);
    return [n, fmt(m, 1), fmt((m / 60_000) * 100, 3), logsKnown];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = [];
  for (const n of NS) rows.push(await measure(n));
  console.log(
    `\ntracker cycle, agent CPU only (fake squeue/sacct print the output; their own CPU is not counted), ` +
      `median of ${CYCLES} cycles after 2; node ${process.version}`,
  );
  console.log(
    table(
      ['live tasks', 'CPU ms / cycle', '% of a core at slurm.pollSeconds 60', 'log paths handed over'],
      rows,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
