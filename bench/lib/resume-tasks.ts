// The tasks a resume-latency run signals, and what was measured of each: when Slurm ended it, when the agent
// saw, decided and resubmitted it, and when the new job reached Slurm.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentHandle } from '../../test/helpers/agent-process.js';
import { detail } from '../../test/helpers/resume-harness.js';
import { until } from './bench-util.js';
import { agentEvents, endTimes, sacctTime, type AgentEvent, type LatencyRow } from './resume-timing.js';

export interface Task {
  agent: AgentHandle;
  /** Start of the timer period the end is placed in (phase plans only), ms. */
  phaseOrigin: number;
  submissionJob: string;
  index: number;
  jobId: string;
  signalledAt: number;
  /** Phase plans: how long before the timer's next tick the task was signalled. */
  untilPollS?: number;
  newJobId?: string;
}

/** Waits for every task's resubmission, cancelling each as soon as the agent has recorded it. */
export async function awaitResubmissions(tasks: Task[], timeoutMs: number): Promise<void> {
  const cancelled = new Set<string>();
  await until(
    async () => {
      for (const agent of new Set(tasks.map((t) => t.agent))) {
        const mine = tasks.filter((t) => t.agent === agent && !t.newJobId);
        if (!mine.length) continue;
        const d = await detail(agent, mine[0]!.submissionJob);
        for (const t of mine) {
          const h = d.tasks.find((x) => x.index === t.index)?.history ?? [];
          const again = h.find((x) => x.jobId !== t.jobId);
          if (!again) continue;
          t.newJobId = again.jobId;
          const arrayId = again.jobId.split('_')[0] as string;
          if (!cancelled.has(arrayId)) {
            cancelled.add(arrayId);
            execFileSync('scancel', [arrayId]);
          }
        }
      }
      return tasks.every((t) => t.newJobId);
    },
    'every resubmission',
    timeoutMs,
    500,
  );
}

export async function measure(tasks: Task[]): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  const evCache = new Map<AgentHandle, AgentEvent[]>();
  for (const t of tasks) {
    const end = await until(async () => sacctTime(t.jobId, 'End'), `sacct End of ${t.jobId}`, 60_000, 1000);
    const submit = await until(
      async () => sacctTime(t.newJobId as string, 'Submit'),
      `sacct Submit of ${t.newJobId}`,
      60_000,
      1000,
    );
    let evs = evCache.get(t.agent);
    if (!evs) {
      const d = await detail(t.agent, t.submissionJob);
      evs = await agentEvents(t.agent, d.id);
      evCache.set(t.agent, evs);
      if (process.env.BENCH_AGENT_LOGS) {
        mkdirSync(process.env.BENCH_AGENT_LOGS, { recursive: true });
        const f = path.join(process.env.BENCH_AGENT_LOGS, `events-${t.submissionJob}.json`);
        writeFileSync(f, JSON.stringify(evs, null, 1));
      }
    }
    const { seen, decided, sent, how } = endTimes(evs, t.jobId, t.index, t.newJobId as string);
    rows.push({
      task: `${t.jobId} -> ${t.newJobId}`,
      untilPollS: t.untilPollS ?? null,
      end,
      submit,
      seen,
      decided,
      sent,
      how,
    });
  }
  return rows;
}
