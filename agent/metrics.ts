// /metrics in Prometheus text format, and the scheduler decorator that counts calls for it.
import { TASK_STATES } from './api/schemas.js';
import type { Repos } from './db/repos/index.js';
import { isAgentError } from './errors.js';
import type {
  JobRecord,
  Scheduler,
  SchedulerSearch,
  SlurmVersion,
  SubmitRequest,
  SubmitResult,
} from './slurm/types.js';
import type { TokenStatus } from './api/tokens.js';
import type { ShardStatus } from './api/shards.js';
import type { Tracker } from './tracker/tracker.js';

type Command = 'sbatch' | 'sacct' | 'squeue' | 'scancel';

/** Counts every scheduler call and failure by command; the wrapped adapter does the work. */
export class CountingScheduler implements Scheduler, SchedulerSearch {
  readonly calls: Record<Command, number> = { sbatch: 0, sacct: 0, squeue: 0, scancel: 0 };
  readonly errors: Record<string, number> = {};

  constructor(private readonly inner: Scheduler & SchedulerSearch) {}

  private async count<T>(cmd: Command, run: () => Promise<T>, calls = 1): Promise<T> {
    this.calls[cmd] += calls;
    try {
      return await run();
    } catch (err) {
      const kind = isAgentError(err) ? ((err as { kind?: string }).kind ?? err.code) : 'unknown';
      const key = `${cmd}|${kind}`;
      this.errors[key] = (this.errors[key] ?? 0) + 1;
      throw err;
    }
  }

  version(): Promise<SlurmVersion> {
    return this.inner.version();
  }
  submit(req: SubmitRequest): Promise<SubmitResult> {
    return this.count('sbatch', () => this.inner.submit(req));
  }
  accounting(jobIds: string[]): Promise<JobRecord[]> {
    return this.count('sacct', () => this.inner.accounting(jobIds), jobIds.length ? 1 : 0);
  }
  accountingSince(since: number): Promise<JobRecord[]> {
    return this.count('sacct', () => this.inner.accountingSince(since));
  }
  queue(jobIds?: string[]): Promise<JobRecord[]> {
    return this.count('squeue', () => this.inner.queue(jobIds), jobIds && !jobIds.length ? 0 : 1);
  }
  cancel(jobId: string, opts?: { signal?: string; batchOnly?: boolean }): Promise<void> {
    return this.count('scancel', () => this.inner.cancel(jobId, opts));
  }
}

export interface MetricsDeps {
  repos: Repos;
  scheduler: CountingScheduler;
  tokens: { status(): TokenStatus[] };
  shardWatch: { status(): ShardStatus[]; pendingStats(): number };
  logWatch: { trackedKeys(): string[]; expectedCount(): number };
  tracker: Tracker;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class AgentMetrics {
  constructor(private readonly d: MetricsDeps) {}

  render(): string {
    const out: string[] = [];
    const metric = (
      name: string,
      type: 'gauge' | 'counter',
      help: string,
      samples: [Record<string, string>, number][],
    ) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) {
        const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`);
        out.push(`${name}${l.length ? `{${l.join(',')}}` : ''} ${value}`);
      }
    };
    const byState = this.d.repos.tasks.countByState();
    metric(
      'emb_tasks',
      'gauge',
      'Tracked array tasks by state.',
      TASK_STATES.map((s) => [{ state: s }, byState[s] ?? 0]),
    );
    const intents = this.d.repos.intents.countByState();
    metric(
      'emb_resubmissions_total',
      'counter',
      'Resubmissions (intents) by outcome.',
      Object.entries(intents).map(([s, n]) => [{ outcome: s }, n]),
    );
    metric(
      'emb_scheduler_calls_total',
      'counter',
      'Scheduler commands run, by command.',
      Object.entries(this.d.scheduler.calls).map(([c, n]) => [{ command: c }, n]),
    );
    metric(
      'emb_scheduler_errors_total',
      'counter',
      'Scheduler command failures, by command and kind.',
      Object.entries(this.d.scheduler.errors).map(([k, n]) => {
        const [command, kind] = k.split('|') as [string, string];
        return [{ command, kind }, n];
      }),
    );
    const t = this.d.tracker.status();
    metric('emb_tracker_cycles_total', 'counter', 'Tracker cycles that reached the scheduler.', [
      [{}, t.cycles],
    ]);
    metric('emb_live_jobs', 'gauge', 'Slurm jobs (array ids) with a live attempt.', [[{}, t.liveJobs]]);
    metric(
      'emb_token_seconds_left',
      'gauge',
      'Seconds until each SAS token expires (negative once expired).',
      this.d.tokens
        .status()
        .filter((s) => s.secondsLeft !== null)
        .map((s) => [{ collection: s.collection }, s.secondsLeft as number]),
    );
    const shards = this.d.shardWatch.status();
    metric(
      'emb_shards',
      'gauge',
      'Shards counted per watched folder.',
      shards.map((s) => [{ dir: s.dir }, s.count]),
    );
    const logs = this.d.logWatch.trackedKeys().length;
    metric('emb_watch_logs_tracked', 'gauge', 'Task logs being tailed.', [[{}, logs]]);
    metric(
      'emb_watch_logs_awaited',
      'gauge',
      'Logs of pending tasks awaited (looked for by their folder, read once created).',
      [[{}, this.d.logWatch.expectedCount()]],
    );
    metric(
      'emb_watch_stats_per_cycle',
      'gauge',
      'Stat calls an idle watch cycle costs: one per shard folder and per tracked log.',
      [[{}, shards.length + logs]],
    );
    metric(
      'emb_watch_stats_pending',
      'gauge',
      'Shard files counted but not yet statted (first scans are spread out).',
      [[{}, this.d.shardWatch.pendingStats()]],
    );
    // The process's own cost, named as Prometheus client libraries name it.
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[{}, mem.rss]]);
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, in bytes.', [[{}, mem.heapUsed]]);
    metric('nodejs_heap_total_bytes', 'gauge', 'V8 heap reserved, in bytes.', [[{}, mem.heapTotal]]);
    metric('nodejs_external_memory_bytes', 'gauge', 'Memory outside the V8 heap (buffers, addons).', [
      [{}, mem.external],
    ]);
    metric('process_cpu_seconds_total', 'counter', 'User and system CPU time spent, in seconds.', [
      [{}, (cpu.user + cpu.system) / 1e6],
    ]);
    return `${out.join('\n')}\n`;
  }
}
