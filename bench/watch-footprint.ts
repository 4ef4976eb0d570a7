// Footprint of watching a big shard tree: chokidar 4 polling vs the agent's ShardWatch, same run, same tree,
// plus LogWatch's bytes read per byte appended.   npx tsx bench/watch-footprint.ts
// Env: BENCH_DIR (where to build the tree; default the OS temp dir; point it at Lustre to measure there),
//      BENCH_FOLDERS (1000), BENCH_FILES (100 per folder), BENCH_INTERVAL_S (5), BENCH_WINDOW_CYCLES (4),
//      BENCH_NESTED (0; N: each folder's files spread over N per-worker sub-folders, watched as "ROOT/*/**").
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../agent/clock.js';
import { Diagnoser } from '../agent/diagnose/diagnose.js';
import { silentLogger } from '../agent/log.js';
import { LogWatch } from '../agent/logs/log-watch.js';
import { bundleChild, Inbox, parseStrace, procStatus } from './lib/child-process.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const FOLDERS = Number(process.env.BENCH_FOLDERS ?? 1000);
const FILES = Number(process.env.BENCH_FILES ?? 100);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_S ?? 5) * 1000;
const WINDOW_CYCLES = Number(process.env.BENCH_WINDOW_CYCLES ?? 4);
const NESTED = Number(process.env.BENCH_NESTED ?? 0);
/** Every folder the agent must stat per idle cycle: the folders and, nested, their sub-folders. */
const ALL_FOLDERS = FOLDERS * (1 + NESTED);
/** Where shard i of folder d lives. */
const folderOf = (d: number, i: number) =>
  path.join(`d-${String(d).padStart(4, '0')}`, NESTED ? `worker-${String(i % NESTED).padStart(2, '0')}` : '');
const NOTICE_SAMPLES = 3;
// Node's young generation grows to 32 MB under a burst of long-lived allocations (the first scan); the agent
// is meant to run with a small one. BENCH_NODE_FLAGS='' measures Node's defaults.
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=4').split(' ').filter(Boolean);
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SideResult {
  readyMs: number;
  completeMs: number;
  rssMb: number;
  hwmMb: number;
  statPerCycle: number;
  getdentsPerCycle: number;
  statfsPerCycle: number;
  cycles: number;
  noticeMs: number | null;
}

function generate(root: string): void {
  const old = new Date(Date.now() - 10 * DAY);
  for (let d = 0; d < FOLDERS; d++) {
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(root, folderOf(d, i));
      if (i < Math.max(NESTED, 1)) mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `shard-${d % 16}-${String(i).padStart(6, '0')}.tar`);
      writeFileSync(file, Buffer.alloc(1 + ((d * 7 + i * 13) % 2048)));
      // A tree built over days: files are older than the "still growing" window.
      utimesSync(file, old, old);
    }
  }
}

/** Bundles the child so it runs on plain node: the footprint measured is the code's, not a loader's. */
async function measure(
  side: 'chokidar' | 'agent',
  childJs: string,
  root: string,
  tmp: string,
): Promise<SideResult> {
  const migration = path.join(REPO, 'migrations', '0002-shard-samples.sql');
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, childJs, side, root, String(INTERVAL_MS), migration, NESTED ? '*/**' : '*'],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    },
  );
  const it = new Inbox(child);
  try {
    const ready = await it.next('ready', 240_000);
    await sleep(INTERVAL_MS); // settle: the first idle cycle
    const out = path.join(tmp, `strace-${side}.txt`);
    const pid = child.pid as number;
    const strace = spawn(
      'strace',
      ['-c', '-f', '-q', '-p', String(pid), '-e', 'trace=%%stat,%%statfs,getdents64', '-o', out],
      {
        stdio: 'ignore',
      },
    );
    await sleep(1000); // attach to every thread
    child.stdin!.write('report\n');
    const before = await it.next('report', 10_000);
    const windowStart = Date.now();
    await sleep(WINDOW_CYCLES * INTERVAL_MS);
    child.stdin!.write('report\n');
    const after = await it.next('report', 10_000);
    const windowMs = Date.now() - windowStart;
    strace.kill('SIGINT');
    await once(strace, 'exit');
    const calls = parseStrace(readFileSync(out, 'utf8'));
    const sum = (names: string[]) => names.reduce((n, s) => n + (calls.get(s) ?? 0), 0);
    // The agent counts its cycles; chokidar's per-file pollers each run once per interval.
    const cycles = side === 'agent' ? (after.cycles ?? 0) - (before.cycles ?? 0) : windowMs / INTERVAL_MS;
    const per = (n: number) => Math.round((n / Math.max(cycles, 1)) * 10) / 10;
    const result: SideResult = {
      readyMs: ready.readyMs ?? NaN,
      completeMs: ready.completeMs ?? NaN,
      rssMb: procStatus(pid, 'VmRSS'),
      hwmMb: procStatus(pid, 'VmHWM'),
      statPerCycle: per(
        sum(['stat', 'lstat', 'fstat', 'newfstatat', 'statx', 'fstatat64', 'stat64', 'lstat64', 'fstat64']),
      ),
      getdentsPerCycle: per(sum(['getdents64', 'getdents'])),
      statfsPerCycle: per(sum(['statfs', 'fstatfs', 'statfs64', 'fstatfs64'])),
      cycles: Math.round(cycles * 10) / 10,
      noticeMs: null,
    };
    // Time to notice a new shard, NOTICE_SAMPLES times in folders picked at random, at random moments.
    for (let n = 0; n < NOTICE_SAMPLES; n++) {
      const folder = path.join(
        root,
        folderOf(Math.floor(Math.random() * FOLDERS), Math.floor(Math.random() * Math.max(NESTED, 1))),
      );
      const fresh = path.join(folder, `shard-9-${side}-new-${n}.tar`);
      child.stdin!.write(`watch ${fresh}\n`);
      await it.next('armed', 10_000);
      await sleep(Math.random() * INTERVAL_MS);
      const t0 = Date.now();
      writeFileSync(fresh, 'new shard');
      const noticed = await it.next('noticed', 3 * INTERVAL_MS + 10_000).catch(() => null);
      if (!noticed) return { ...result, noticeMs: null };
      result.noticeMs = Math.max(result.noticeMs ?? 0, (noticed.at ?? NaN) - t0);
    }
    return result;
  } finally {
    child.kill('SIGKILL');
  }
}

/** LogWatch on 20 logs appended to for a while: bytes read per byte appended. */
async function logRatio(
  tmp: string,
): Promise<{ ratio: number; appended: number; read: number; cycles: number }> {
  const dir = path.join(tmp, 'logs');
  mkdirSync(dir);
  const files = Array.from({ length: 20 }, (_, i) => path.join(dir, `build-1234_${i}.out`));
  for (const f of files) writeFileSync(f, '');
  const lw = new LogWatch({
    clock: systemClock,
    logger: silentLogger(),
    diagnoser: new Diagnoser(),
    onLogEvent: () => {},
    pollSeconds: 1,
    mode: 'poll',
  });
  files.forEach((f, i) => lw.track(`1234_${i}`, [f]));
  await lw.start();
  let appended = 0;
  let n = 0;
  const started = Date.now();
  while (Date.now() - started < 12_000) {
    for (const f of files) {
      // A few lines per file per half second, sometimes ending mid-line.
      const text = `step ${n++} loss=0.${n % 997} ${'x'.repeat(40 + (n % 120))}\n`.repeat(1 + (n % 3));
      const cut = n % 5 === 0 ? text.length - 7 : text.length;
      appendFileSync(f, text.slice(0, cut));
      appended += Buffer.byteLength(text.slice(0, cut));
    }
    await sleep(500);
  }
  await sleep(2500);
  await lw.stop();
  const read = files.reduce((s, _, i) => s + (lw.status(`1234_${i}`)?.bytesRead ?? 0), 0);
  return { ratio: read / appended, appended, read, cycles: Math.round((Date.now() - started) / 1000) };
}

function row(name: string, a: string, b: string, target: string): string {
  return `| ${name.padEnd(40)} | ${a.padStart(18)} | ${b.padStart(18)} | ${target.padEnd(22)} |`;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'emb-watch-bench-'));
  try {
    const root = path.join(tmp, 'shards');
    mkdirSync(root);
    let t = Date.now();
    generate(root);
    console.log(
      `generated ${FOLDERS * FILES} files in ${FOLDERS} folders under ${root} in ${Date.now() - t} ms`,
    );
    const childJs = path.join(tmp, 'watch-child.cjs');
    await bundleChild(path.join(HERE, 'watch-child.ts'), childJs);
    t = Date.now();
    const chok = await measure('chokidar', childJs, root, tmp);
    console.log(`chokidar measured in ${Date.now() - t} ms`);
    t = Date.now();
    const agent = await measure('agent', childJs, root, tmp);
    console.log(`agent measured in ${Date.now() - t} ms`);
    const logs = await logRatio(tmp);
    const s = (ms: number | null) => (ms === null ? 'not noticed' : `${(ms / 1000).toFixed(1)} s`);
    console.log(
      `\n${FOLDERS * FILES} files in ${FOLDERS} folders` +
        (NESTED ? ` of ${NESTED} sub-folders each (watched as ROOT/*/**)` : '') +
        `, ${INTERVAL_MS / 1000} s interval, ${os.cpus().length} CPUs, ` +
        `node ${process.version} ${NODE_FLAGS.join(' ') || '(default flags)'}`,
    );
    console.log(row('metric', 'chokidar 4 polling', 'emb-agent', 'target'));
    console.log(row('-'.repeat(40), '-'.repeat(18), '-'.repeat(18), '-'.repeat(22)));
    console.log(row('ready (all shards counted)', s(chok.readyMs), s(agent.readyMs), ''));
    console.log(row('complete (all sizes known)', s(chok.completeMs), s(agent.completeMs), ''));
    console.log(
      row(
        'resident memory (RSS / peak)',
        `${chok.rssMb.toFixed(0)} / ${chok.hwmMb.toFixed(0)} MB`,
        `${agent.rssMb.toFixed(0)} / ${agent.hwmMb.toFixed(0)} MB`,
        '<= 100 MB',
      ),
    );
    console.log(
      row(
        'stat-family calls per idle cycle',
        String(chok.statPerCycle),
        String(agent.statPerCycle),
        `<= ${Math.round(1.1 * ALL_FOLDERS)} (1.1 x folders)`,
      ),
    );
    console.log(
      row(
        'getdents64 calls per idle cycle',
        String(chok.getdentsPerCycle),
        String(agent.getdentsPerCycle),
        '',
      ),
    );
    console.log(
      row('statfs calls per idle cycle', String(chok.statfsPerCycle), String(agent.statfsPerCycle), ''),
    );
    console.log(row('cycles in the strace window', String(chok.cycles), String(agent.cycles), ''));
    console.log(
      row(
        `time to notice a new shard (max of ${NOTICE_SAMPLES})`,
        s(chok.noticeMs),
        s(agent.noticeMs),
        `<= ${INTERVAL_MS / 1000} s (one interval)`,
      ),
    );
    console.log(row('log bytes read / appended', '-', logs.ratio.toFixed(3), '<= 1.1'));
    console.log(
      `\nlogs: ${logs.read} bytes read for ${logs.appended} appended to 20 files over ~${logs.cycles} one-second cycles`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
