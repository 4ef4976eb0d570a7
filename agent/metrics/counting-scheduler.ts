// The scheduler decorator behind the emb_scheduler_* metrics: counts every call and failure by command and
// times each, on the agent's own registry. It also remembers the Slurm release the version probe found,
// for emb_build_info, and runs the lease fence before each command (a tracker cycle or a resubmission by an
// agent that lost the lease while frozen must not happen). The wrapped adapter does the work.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import { isAgentError } from '../errors.js';
import type {
  JobRecord,
  Scheduler,
  SchedulerSearch,
  SlurmVersion,
  SubmitRequest,
  SubmitResult,
} from '../slurm/types.js';

const COMMANDS = ['sbatch', 'sacct', 'squeue', 'scancel'] as const;
type Command = (typeof COMMANDS)[number];

export class CountingScheduler implements Scheduler, SchedulerSearch {
  private readonly calls: Counter<'command'>;
  private readonly errors: Counter<'command' | 'kind'>;
  private readonly seconds: Histogram<'command'>;
  private slurm: string | null = null;

  constructor(
    private readonly inner: Scheduler & SchedulerSearch,
    registry: Registry,
    private readonly clock: Clock,
    /** Throws when this agent may no longer act (Lease.fence); the command then fails before it runs. */
    private readonly fence: () => void = () => undefined,
  ) {
    this.calls = new Counter({
      name: 'emb_scheduler_calls_total',
      help: 'Scheduler commands run, by command.',
      labelNames: ['command'],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'emb_scheduler_errors_total',
      help: 'Scheduler command failures, by command and kind.',
      labelNames: ['command', 'kind'],
      registers: [registry],
    });
    // Slurm answers in tens of milliseconds when well, and stalls for its message time-out when not.
    this.seconds = new Histogram({
      name: 'emb_scheduler_command_duration_seconds',
      help: 'How long scheduler commands took, failures included, by command.',
      labelNames: ['command'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    // Every command has a series from the start, so rate() and increase() see the first call.
    for (const command of COMMANDS) this.calls.inc({ command }, 0);
  }

  /** The release the last successful version probe found, e.g. "24.11.5". */
  get slurmVersion(): string | null {
    return this.slurm;
  }

  private async count<T>(command: Command, run: () => Promise<T>, calls = 1): Promise<T> {
    if (calls === 0) return run();
    this.fence();
    this.calls.inc({ command });
    const started = this.clock.now();
    try {
      return await run();
    } catch (err) {
      const kind = isAgentError(err) ? ((err as { kind?: string }).kind ?? err.code) : 'unknown';
      this.errors.inc({ command, kind });
      throw err;
    } finally {
      this.seconds.observe({ command }, Math.max(0, this.clock.now() - started) / 1000);
    }
  }

  async version(): Promise<SlurmVersion> {
    const v = await this.inner.version();
    this.slurm = v.text;
    return v;
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
