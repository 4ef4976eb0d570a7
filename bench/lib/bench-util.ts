// Small pieces shared by the benches that run the real built agent: its /metrics, waiting, statistics, tables.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentHandle } from '../../test/helpers/agent-process.js';
import { AGENT_CLI, CLIENT_CLI } from '../../test/helpers/agent-process.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function requireBuild(): void {
  for (const f of [AGENT_CLI, CLIENT_CLI]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run npm run build first`);
  }
}

/** Prometheus samples keyed as written: `name` or `name{label="v",...}`. */
export type Samples = Map<string, number>;

export async function fetchMetrics(url: string, stateDir: string): Promise<Samples> {
  const token = readFileSync(path.join(stateDir, 'api-token'), 'utf8').trim();
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  const out: Samples = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

export const metricsOf = (a: AgentHandle) => fetchMetrics(a.url, a.stateDir);

export function sample(s: Samples, key: string): number {
  return s.get(key) ?? 0;
}

/** Polls fn until it returns something other than null/undefined/false; throws after timeoutMs. */
export async function until<T>(
  fn: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  if (!s.length) return NaN;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** A markdown-ish table; numbers right-aligned, the rest left-aligned. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const right = head.map((_, c) =>
    rows.every((r) => typeof r[c] === 'number' || /^[\d.,-]+$/.test(String(r[c]))),
  );
  const line = (r: string[]) =>
    `| ${r.map((v, c) => (right[c] ? v.padStart(width[c] as number) : v.padEnd(width[c] as number))).join(' | ')} |`;
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(r.map(String)))].join(
    '\n',
  );
}

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** Tasks slurmctld holds in memory now (pending arrays expanded, recently ended included): MaxJobCount's measure. */
export function slurmctldTaskCount(): number {
  const r = spawnSync('squeue', ['--noheader', '--array', '--states=all', '--format=%i'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`squeue: ${r.stderr || r.error?.message}`);
  return r.stdout.split('\n').filter(Boolean).length;
}

/** Clock ticks per second, the unit of /proc/PID/stat's times. */
export const CLOCK_TICKS =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
export function cpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14, stime field 15.
  return Number(f[11]) + Number(f[12]);
}

/** A "NAME: N kB" line of /proc/PID/status, in MiB (the kernel's kB are KiB). */
export function procStatusMb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
