// /metrics in the Prometheus text format, through prom-client on registries the agent owns (never the
// global one): the agent's emb_* series, and the standard process and Node.js ones under the names every
// Node exporter uses (process_start_time_seconds, nodejs_heap_size_used_bytes, ...). Gauges are read from
// the services when scraped; counters only grow, from events counted as they happen.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { TASK_STATES } from './api/schemas.js';
import type { ShardStatus } from './api/shards.js';
import type { TokenStatus } from './api/tokens.js';
import type { Clock } from './clock.js';
import type { Repos } from './db/repos/index.js';
import type { CountingScheduler } from './metrics/counting-scheduler.js';
import type { TrackerStatus } from './tracker/tracker.js';

export { CountingScheduler } from './metrics/counting-scheduler.js';

/** What became of a resubmission intent: sbatch took it, refused it, or it waits for another try. */
export type ResubmissionOutcome = 'submitted' | 'rejected' | 'retry';

export interface MetricsDeps {
  /** The registry the scheduler decorator counts on; AgentMetrics adds the rest of the emb_* series. */
  registry: Registry;
  clock: Clock;
  version: string;
  repos: Repos;
  scheduler: CountingScheduler;
  tokens: { status(): TokenStatus[] };
  shardWatch: { status(): ShardStatus[]; pendingStats(): number };
  logWatch: { trackedKeys(): string[]; expectedCount(): number };
  tracker: { status(): TrackerStatus };
}

export class AgentMetrics {
  /** The exposition format's content type, for the HTTP route. */
  readonly contentType: string;
  private readonly process = new Registry();
  private readonly resubmissions: Counter<'outcome'>;
  private readonly refreshFailures: Counter<'collection'>;
  private readonly createdAt: number;
  private processStarted = false;

  constructor(private readonly d: MetricsDeps) {
    const registers = [d.registry];
    this.contentType = d.registry.contentType;
    this.createdAt = d.clock.now();
    this.resubmissions = new Counter({
      name: 'emb_resubmissions_total',
      help: 'Resubmissions by outcome, counted as they happen (submitted, rejected by sbatch, retry later).',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['submitted', 'rejected', 'retry']) this.resubmissions.inc({ outcome }, 0);
    this.refreshFailures = new Counter({
      name: 'emb_token_refresh_failures_total',
      help: 'Failed SAS token requests, by collection (each retry counts).',
      labelNames: ['collection'],
      registers,
    });
    this.gauges(registers);
  }

  /** Counts one resubmission outcome (the executor calls this as it records it). */
  resubmission(outcome: ResubmissionOutcome): void {
    this.resubmissions.inc({ outcome });
  }

  /** Counts one failed token request for a collection. */
  tokenRefreshFailed(collection: string): void {
    this.refreshFailures.inc({ collection });
  }

  /** Starts the process metrics (event-loop delay sampling, GC observer). */
  start(): void {
    if (this.processStarted) return;
    this.processStarted = true;
    collectDefaultMetrics({ register: this.process });
    // Gauges named like counters, which promtool's lint refuses; nodejs_active_{handles,requests,resources}
    // by type say the same.
    for (const name of ['handles', 'requests', 'resources'])
      this.process.removeSingleMetric(`nodejs_active_${name}_total`);
  }

  stop(): void {
    this.process.clear();
    this.processStarted = false;
  }

  /** Everything: the agent's series and the process's. */
  async render(): Promise<string> {
    return `${await this.d.registry.metrics()}\n${await this.process.metrics()}`.replace(/\n{2,}/g, '\n');
  }

  /**
   * The agent's series alone, for a node-exporter textfile: node_exporter has process_* series of its own,
   * and a textfile that repeats them is refused.
   */
  renderAgentOnly(): Promise<string> {
    return this.d.registry.metrics();
  }

  private gauges(registers: Registry[]): void {
    const { d } = this;
    new Gauge({
      name: 'emb_build_info',
      help: 'Always 1; the labels say which agent, Node.js and Slurm (as last probed) run.',
      labelNames: ['version', 'node', 'slurm'],
      registers,
      collect() {
        this.reset();
        this.set(
          { version: d.version, node: process.version, slurm: d.scheduler.slurmVersion ?? 'unknown' },
          1,
        );
      },
    });
    new Gauge({
      name: 'emb_tasks',
      help: 'Tracked array tasks by state.',
      labelNames: ['state'],
      registers,
      collect() {
        const byState = d.repos.tasks.countByState();
        for (const state of TASK_STATES) this.set({ state }, byState[state] ?? 0);
      },
    });
    let cyclesSeen = 0;
    new Counter({
      name: 'emb_tracker_cycles_total',
      help: 'Tracker cycles that reached the scheduler.',
      registers,
      collect() {
        const { cycles } = d.tracker.status();
        this.inc(Math.max(0, cycles - cyclesSeen));
        cyclesSeen = Math.max(cycles, cyclesSeen);
      },
    });
    const createdAt = this.createdAt;
    new Gauge({
      name: 'emb_tracker_last_cycle_age_seconds',
      help: 'Seconds since the tracker loop last finished a cycle (idle cycles count); grows if it is stuck.',
      registers,
      collect() {
        const at = d.tracker.status().lastCycleAt ?? createdAt;
        this.set(Math.max(0, d.clock.now() - at) / 1000);
      },
    });
    new Gauge({
      name: 'emb_live_jobs',
      help: 'Slurm jobs (array ids) with a live attempt.',
      registers,
      collect() {
        this.set(d.tracker.status().liveJobs);
      },
    });
    new Gauge({
      name: 'emb_token_seconds_left',
      help: 'Seconds until each SAS token expires (0 once expired; no sample while there is none).',
      labelNames: ['collection'],
      registers,
      collect() {
        this.reset();
        for (const s of d.tokens.status()) {
          if (s.secondsLeft !== null) this.set({ collection: s.collection }, s.secondsLeft);
        }
      },
    });
    new Gauge({
      name: 'emb_shards',
      help: 'Shards counted per watched folder.',
      labelNames: ['dir'],
      registers,
      collect() {
        this.reset();
        for (const s of d.shardWatch.status()) this.set({ dir: s.dir }, s.count);
      },
    });
    const simple = (name: string, help: string, value: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(value());
        },
      });
    simple('emb_watch_logs_tracked', 'Task logs being tailed.', () => d.logWatch.trackedKeys().length);
    simple(
      'emb_watch_logs_awaited',
      'Logs of pending tasks awaited (looked for by their folder, read once created).',
      () => d.logWatch.expectedCount(),
    );
    simple(
      'emb_watch_stats_per_cycle',
      'Stat calls an idle watch cycle costs: one per shard folder and per tracked log.',
      () => d.shardWatch.status().length + d.logWatch.trackedKeys().length,
    );
    simple(
      'emb_watch_stats_pending',
      'Shard files counted but not yet statted (first scans are spread out).',
      () => d.shardWatch.pendingStats(),
    );
  }
}
