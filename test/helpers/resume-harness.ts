// Shared steps of the resume tests: submit the shard builder through emb-client, find tasks in `ls`,
// deliver the pre-wall-time signal by hand, and compare what the agent recorded with what sacct knows.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { AgentHandle } from './agent-process.js';
import { ROOT } from './agent-process.js';
import { waitFor } from './cluster.js';

export const JOB = path.join(ROOT, 'test/jobs/shard-builder.sbatch');

export interface LsTask {
  index: number;
  state: string;
  attempts: number;
  jobId: string | null;
  reason: string | null;
  diagnosis: null | { cause: string; hint: string };
}
export interface LsSubmission {
  id: number;
  jobId: string;
  tasks: LsTask[];
}
export interface Detail extends LsSubmission {
  tasks: (LsTask & { history: { jobId: string; slurmState: string }[] })[];
  events: { kind: string; message: string; data: Record<string, unknown> | null }[];
}

export async function submitBuilder(
  agent: AgentHandle,
  opts: { array?: string; time?: string; markers?: string[]; env?: Record<string, string>; extra?: string[] },
): Promise<string> {
  const args = [
    'submit',
    ...(opts.markers ?? []),
    '--',
    ...(opts.array ? [`--array=${opts.array}`] : []),
    '-o',
    path.join(agent.dir, 'work/logs/%x_%A_%a.out'),
    '-t',
    opts.time ?? '10',
    ...(opts.extra ?? []),
    JOB,
  ];
  const r = await agent.client(args, { env: { OUT_DIR: path.join(agent.dir, 'out'), ...opts.env } });
  if (r.code !== 0) throw new Error(`emb-client submit failed (${r.code}): ${r.stderr}`);
  const id = /job (\d+)/.exec(r.stdout)?.[1];
  if (!id) throw new Error(`no job id in: ${r.stdout}`);
  return id;
}

export async function submission(agent: AgentHandle, jobId: string): Promise<LsSubmission | undefined> {
  const subs = await agent.clientJson<LsSubmission[]>(['ls']);
  return subs.find((s) => s.jobId === jobId);
}

export async function detail(agent: AgentHandle, jobId: string): Promise<Detail> {
  return agent.clientJson<Detail>(['show', jobId]);
}

/** Waits until the task is in one of the states and returns it. */
export async function taskIn(
  agent: AgentHandle,
  jobId: string,
  index: number,
  states: string[],
  timeoutMs = 120_000,
): Promise<LsTask> {
  return waitFor(
    async () => {
      const t = (await submission(agent, jobId))?.tasks.find((x) => x.index === index);
      return t && states.includes(t.state) ? t : null;
    },
    { timeoutMs, intervalMs: 500, what: `task ${index} of ${jobId} in ${states.join('|')}` },
  );
}

export function shards(agent: AgentHandle, index: number): string[] {
  const out = path.join(agent.dir, 'out');
  if (!existsSync(out)) return [];
  return readdirSync(out).filter((f) => f.startsWith(`shard-${index}-`) && f.endsWith('.tar'));
}

export function duplicatesWritten(agent: AgentHandle): boolean {
  return existsSync(path.join(agent.dir, 'out/duplicates'));
}

/**
 * What --signal=B:TERM@120 delivers, sent now to one array task's batch step. By its raw id when that is its
 * own: the task holding the array's master record has the array's id as its raw id, and `scancel 1234`
 * signals every task of array 1234 (checked on 22.05). That task is named as 1234_7 instead, which is safe
 * for an array without a throttle (with one, 22.05 may also signal the task that starts in its place).
 * The whole queue is read, not --jobs: 22.05 answers --jobs with nothing while a throttled array splits off
 * a task.
 */
export function signalBatch(taskJobId: string): void {
  const queue = spawnSync('squeue', ['--noheader', '--format=%i %A %F'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const row = queue.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find(([id]) => id === taskJobId);
  if (!row) throw new Error(`squeue does not know ${taskJobId}:\n${queue.stdout}${queue.stderr}`);
  const [, raw, arrayId] = row as [string, string, string];
  const target = raw === arrayId ? taskJobId : raw;
  const r = spawnSync('scancel', ['--signal=TERM', '--batch', target], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || (r.status !== 0 && r.stderr.trim() !== '')) {
    throw new Error(
      `scancel --signal=TERM --batch ${target} (${taskJobId}) failed: ${r.stderr || r.error?.message}`,
    );
  }
}

/** Waits until the task's current attempt runs and has written at least `n` shards in total. */
export async function runningWithShards(
  agent: AgentHandle,
  jobId: string,
  index: number,
  n: number,
): Promise<LsTask> {
  return waitFor(
    async () => {
      const t = (await submission(agent, jobId))?.tasks.find((x) => x.index === index);
      return t && t.state === 'running' && shards(agent, index).length >= n ? t : null;
    },
    { timeoutMs: 120_000, intervalMs: 300, what: `task ${index} running with ${n} shard(s)` },
  );
}

/**
 * Every array task sacct knows that ran from this folder since `sinceMs` (tap reuses fixture folder names
 * across runs, and the cluster's accounting outlives them), as Slurm writes the ids.
 */
export function sacctTasksFrom(dir: string, sinceMs: number): string[] {
  const out = execFileSync(
    'sacct',
    ['-X', '--parsable2', '--noheader', '--starttime=now-2hours', '--format=JobID,WorkDir,Submit'],
    { encoding: 'utf8', env: { ...process.env, SLURM_TIME_FORMAT: '%s' } },
  );
  return out
    .split('\n')
    .map((l) => l.split('|'))
    .filter(([id, wd, submit]) => id && wd === dir && Number(submit) * 1000 >= sinceMs - 1000)
    .map(([id]) => id as string)
    .sort();
}

/** All attempts the agent recorded for a submission, oldest first per task. */
export async function recordedAttempts(agent: AgentHandle, jobId: string): Promise<string[]> {
  const d = await detail(agent, jobId);
  return d.tasks.flatMap((t) => t.history.map((h) => h.jobId)).sort();
}
