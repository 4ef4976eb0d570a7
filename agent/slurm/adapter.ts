// The Scheduler port implemented with Slurm's commands. One command per call, never one per job.
//
// One set of options for Slurm 21.08 to 25.11: every option and output field used here exists unchanged
// in all of them (checked in SchedMD's source at each release; docs/slurm-versions.md lists what changed
// around them and how the parsers absorb it). Output is text (sacct --parsable2, squeue -O), never JSON:
// its columns are stable, cheaper to produce, and carry every fact the agent needs, while the JSON shape
// changed in every release, and on 22.05 `squeue --json` ignores all filters and `sacct --json` reports
// exit 3 of a FAILED job as SUCCESS/0. The version is probed once, for `check` and `health`.
import { AgentError } from '../errors.js';
import type { Logger } from '../log.js';
import { JOB_ID_ARG } from './job-id.js';
import { CommandRunner } from './runner.js';
import { parseSacctText, sacctTextArgs, type AccountingSelector } from './sacct-text.js';
import { parseSbatchParsable, parseTestOnly } from './sbatch.js';
import { parseSqueueText, squeueTextArgs, type QueueSelector } from './squeue-text.js';
import type {
  JobRecord,
  Scheduler,
  SchedulerSearch,
  SchedulerTestOnly,
  SlurmVersion,
  SubmitRequest,
  SubmitResult,
  TestOnlyAnswer,
} from './types.js';
import { parseVersion } from './version.js';

export interface SlurmAdapterOptions {
  /** Per-command time-out (config slurm.commandTimeoutSeconds * 1000). */
  timeoutMs: number;
  /** Folder holding sbatch, squeue, sacct, scancel (config slurm.binDir); default: PATH. */
  binDir?: string | undefined;
  /** Whose jobs queue() lists; null/absent: `squeue --me` (the agent's own user). */
  user?: string | null | undefined;
  logger: Logger;
}

/**
 * Laid over the agent's environment for squeue and sacct: timestamps as Unix seconds (no time zone to
 * guess), full array index expressions (the default cuts them at 64 bytes with "..."), and the user's
 * SQUEUE_* defaults removed (SQUEUE_ARRAY, SQUEUE_STATES, ... would change what squeue prints).
 */
const QUERY_ENV: Record<string, string | undefined> = {
  SLURM_TIME_FORMAT: '%s',
  SLURM_BITSTR_LEN: '0',
  ...Object.fromEntries(
    [
      'ALL',
      'ARRAY',
      'ARRAY_UNIQUE',
      'ACCOUNT',
      'FEDERATION',
      'FORMAT',
      'FORMAT2',
      'LICENSES',
      'LOCAL',
      'NAMES',
      'PARTITION',
      'PRIORITY',
      'QOS',
      'SIB',
      'SIBLING',
      'SORT',
      'STATES',
      'USERS',
    ].map((k) => [`SQUEUE_${k}`, undefined]),
  ),
  SACCT_FORMAT: undefined,
};

/** scancel/squeue messages that mean "that job is already gone", which is not a failure for us. */
const GONE = /invalid job id specified|already completing or completed|job has already finished/i;

export class SlurmAdapter implements Scheduler, SchedulerSearch, SchedulerTestOnly {
  private readonly runner: CommandRunner;
  private readonly user: string | null;
  private readonly logger: Logger;
  private versionPromise: Promise<SlurmVersion> | null = null;

  constructor(opts: SlurmAdapterOptions) {
    this.runner = new CommandRunner({ timeoutMs: opts.timeoutMs, binDir: opts.binDir, logger: opts.logger });
    this.user = opts.user ?? null;
    this.logger = opts.logger;
  }

  version(): Promise<SlurmVersion> {
    // Cached per instance; a failed probe is not cached, so the next call tries again.
    this.versionPromise ??= this.runner
      .run('sbatch', ['--version'], { env: QUERY_ENV })
      .then((r) => parseVersion(r.stdout))
      .catch((err: unknown) => {
        this.versionPromise = null;
        throw err;
      });
    return this.versionPromise;
  }

  async submit(req: SubmitRequest): Promise<SubmitResult> {
    // The recorded environment exactly: the agent's own must not leak into the job, nor be merged.
    const r = await this.runner.run('sbatch', ['--parsable', ...req.args], {
      cwd: req.cwd,
      env: req.env,
      exactEnv: true,
    });
    const result = parseSbatchParsable(r.stdout);
    if (r.stderr.trim() !== '')
      this.logger.info({ jobId: result.jobId, stderr: r.stderr.trim() }, 'sbatch notice');
    return result;
  }

  /** `sbatch --test-only` with the recipe's argv, cwd and environment; Slurm's refusal is thrown as for submit. */
  async testOnly(req: SubmitRequest): Promise<TestOnlyAnswer> {
    const r = await this.runner.run('sbatch', ['--test-only', ...req.args], {
      cwd: req.cwd,
      env: req.env,
      exactEnv: true,
    });
    return parseTestOnly(r.stderr);
  }

  async accounting(jobIds: string[]): Promise<JobRecord[]> {
    const ids = uniqueIds(jobIds);
    if (ids.length === 0) return [];
    // Only the agent's user's jobs: a mistyped or foreign job id must not become "ours".
    return this.sacct({ jobIds: ids, user: this.user });
  }

  /**
   * The user's jobs (allocations) in any state since `since` (Unix seconds), from ONE sacct call; for
   * finding a job by its --comment tag in SubmitLine after a crash. A job submitted moments ago may not
   * be in slurmdbd yet: look in queue() first.
   */
  async accountingSince(since: number): Promise<JobRecord[]> {
    if (!Number.isFinite(since) || since < 0) {
      throw new AgentError('AGENT_ERR_BAD_REQUEST', `accountingSince needs Unix seconds, got ${since}`);
    }
    return this.sacct({ since: Math.floor(since), user: this.user });
  }

  private async sacct(selector: AccountingSelector): Promise<JobRecord[]> {
    const r = await this.runner.run('sacct', sacctTextArgs(selector), { env: QUERY_ENV });
    return parseSacctText(r.stdout);
  }

  async queue(jobIds?: string[]): Promise<JobRecord[]> {
    const ids = jobIds === undefined ? null : uniqueIds(jobIds);
    if (ids !== null && ids.length === 0) return [];
    // Always by user and filtered here: `squeue -j` fails outright ("Invalid job id specified") when
    // the one job asked for has left the queue, and a user filter is what slurmctld answers fastest.
    const selector: QueueSelector = this.user === null ? { me: true } : { user: this.user };
    const records = await this.queueBy(selector);
    if (ids === null) return records;
    const wanted = new Set(ids);
    return records.filter(
      (r) =>
        wanted.has(r.jobId) || wanted.has(r.arrayJobId) || (r.jobIdRaw !== null && wanted.has(r.jobIdRaw)),
    );
  }

  async cancel(jobId: string, opts: { signal?: string; batchOnly?: boolean } = {}): Promise<void> {
    checkId(jobId);
    const args: string[] = [];
    if (opts.signal !== undefined) {
      if (!/^(SIG)?[A-Z0-9]+$/i.test(opts.signal)) {
        throw new AgentError(
          'AGENT_ERR_BAD_REQUEST',
          `not a signal name or number: ${JSON.stringify(opts.signal)}`,
        );
      }
      args.push(`--signal=${opts.signal}`);
    }
    if (opts.batchOnly === true) args.push('--batch');
    args.push(jobId);
    const r = await this.runner.run('scancel', args, {
      env: QUERY_ENV,
      accept: (res) => GONE.test(res.stderr),
    });
    if (GONE.test(r.stderr))
      this.logger.info({ jobId, stderr: r.stderr.trim() }, 'scancel: job already gone');
  }

  private async queueBy(selector: QueueSelector): Promise<JobRecord[]> {
    const accept = (res: { stderr: string }) => /invalid job id specified/i.test(res.stderr);
    const r = await this.runner.run('squeue', squeueTextArgs(selector), { env: QUERY_ENV, accept });
    return r.exitCode === 0 ? parseSqueueText(r.stdout) : [];
  }
}

function checkId(id: string): void {
  if (!JOB_ID_ARG.test(id)) {
    throw new AgentError(
      'AGENT_ERR_BAD_REQUEST',
      `not a Slurm job id: ${JSON.stringify(id)} (expected 1234 or 1234_7)`,
    );
  }
}

function uniqueIds(ids: string[]): string[] {
  ids.forEach(checkId);
  return [...new Set(ids)];
}
