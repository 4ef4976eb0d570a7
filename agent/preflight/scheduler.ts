// The preflight decorator around the scheduler's submit: every sbatch (a user's submit, a resubmission, a
// pipeline step) is judged by the site's partition table, and by `sbatch --test-only` where configured,
// before it runs; a refusal names the rule and the fix and nothing is submitted. On a resubmission whose
// submission asked for --fit-time, the --time is fitted to the work left. The wrapped scheduler does the work.
import { isAgentError } from '../errors.js';
import type { EventKind } from '../tasks/event-kinds.js';
import type { Logger } from '../log.js';
import { parseSbatchArgs, rebuildArgs } from '../recipe/sbatch-args.js';
import { SchedulerError, isSchedulerError } from '../slurm/errors.js';
import type {
  JobRecord,
  Scheduler,
  SchedulerSearch,
  SchedulerTestOnly,
  SlurmVersion,
  SubmitRequest,
  SubmitResult,
  TestOnlyAnswer,
} from '../slurm/types.js';
import type { PreflightConfig } from './config.js';
import { jobFacts } from './facts.js';
import { fitTime, type FitResult, type TaskProgress } from './fit-time.js';
import type { PreflightOptions } from './options.js';
import type { Profile } from './profile.js';
import { checkJob, describeFinding, partitionsOf, type Verdict } from './rules.js';
import { directivesOf } from './script.js';
import { formatTimeSpec } from './time-spec.js';

/** What a resubmission belongs to: looked up by the intent tag in its argv. */
export interface ResubmissionFacts {
  submissionId: number;
  /** The options stored with the submission at its first sbatch ({} when none). */
  options: PreflightOptions;
  /** The submission's own argv: its --time is the ceiling of a fit. */
  originalArgs: string[];
  indices: number[];
  /** Work done per task, for --fit-time. */
  progress(): Promise<{ source: string; tasks: TaskProgress[] }>;
}

/** Preflight's kinds, each listed in agent/tasks/event-kinds.ts (so stored as itself, not as agent.other). */
export type PreflightEventKind = Extract<EventKind, `preflight.${string}`>;

export interface PreflightEvent {
  level: 'info' | 'warn';
  kind: PreflightEventKind;
  message: string;
  submissionId?: number;
  data: Record<string, unknown>;
}

export interface PreflightDeps {
  inner: Scheduler & SchedulerSearch & SchedulerTestOnly;
  profile: Profile;
  settings: PreflightConfig;
  logger: Logger;
  resubmission(intentId: number): Promise<ResubmissionFacts | null>;
  /** Records what preflight decided (a fitted time, an override in force) for `show` and `events`. */
  record(e: PreflightEvent): void;
}

export interface PreflightReport extends Verdict {
  /** What `sbatch --test-only` said, when it was asked. */
  slurm: TestOnlyAnswer | null;
}

const INTENT_TAG = /^--comment=emb-agent:intent=(\d+):/;

/** The refusal: a permanent scheduler error (a resubmission is then rejected, not retried) with its own code. */
export function refusal(reasons: string[], cause?: unknown): SchedulerError {
  const reason = `refused before sbatch: ${reasons.join('; ')} (nothing was submitted; emb-client submit --no-preflight "REASON" overrides)`;
  return new SchedulerError('permanent', {
    command: 'preflight',
    reason,
    stderr: reason,
    code: 'AGENT_ERR_PREFLIGHT_REFUSED',
    cause,
  });
}

export class PreflightScheduler implements Scheduler, SchedulerSearch {
  constructor(private readonly d: PreflightDeps) {}

  /**
   * Judges a job without submitting it: the table, then Slurm when testOnly is "always", or "deferred" and
   * the job is to be sent later (a pipeline step). Throws the refusal; returns the warnings.
   */
  async check(req: SubmitRequest, when: 'now' | 'deferred' = 'deferred'): Promise<PreflightReport> {
    const { profile, settings, logger } = this.d;
    let directives: string[] = [];
    try {
      directives = await directivesOf(req.args, req.cwd);
    } catch (err) {
      // sbatch reports an unreadable script itself; the table then judges the argv alone.
      logger.debug({ err }, 'preflight: the batch script could not be read for its #SBATCH lines');
    }
    const verdict = checkJob(jobFacts(req.args, directives, req.cwd), profile);
    if (verdict.refusals.length) throw refusal(verdict.refusals.map(describeFinding));
    const ask = settings.testOnly === 'always' || (settings.testOnly === 'deferred' && when === 'deferred');
    return { ...verdict, slurm: ask ? await this.askSlurm(req) : null };
  }

  private async askSlurm(req: SubmitRequest): Promise<TestOnlyAnswer | null> {
    try {
      return await this.d.inner.testOnly(req);
    } catch (err) {
      if (isSchedulerError(err, 'permanent'))
        throw refusal([`[slurm] sbatch --test-only: ${err.reason}`], err);
      // Slurm busy or away: the sbatch itself will meet the same controller and say so.
      this.d.logger.warn({ err }, 'preflight: sbatch --test-only failed; judged by the table alone');
      return null;
    }
  }

  async submit(req: SubmitRequest): Promise<SubmitResult> {
    if (!this.d.settings.enabled) return this.d.inner.submit(req);
    const intentId = req.args.map((a) => INTENT_TAG.exec(a)?.[1]).find((id) => id !== undefined);
    const resub = intentId === undefined ? null : await this.d.resubmission(Number(intentId));
    let args = req.args;
    if (resub?.options.fitTime === true) args = await this.fitted(resub, req);
    const sent = { ...req, args };
    const skip = req.preflight?.skip ?? resub?.options.skip;
    if (skip === undefined) {
      const report = await this.check(sent, 'now');
      for (const w of report.warnings)
        this.d.logger.info({ rule: w.rule }, `preflight: ${describeFinding(w)}`);
    } else if (resub) {
      this.d.record({
        level: 'info',
        kind: 'preflight.skipped',
        submissionId: resub.submissionId,
        message: `preflight skipped for this resubmission, as for the submission: ${skip}`,
        data: { reason: skip },
      });
    }
    return this.d.inner.submit(sent);
  }

  /** The argv with --time fitted to the work left, and an event with the numbers behind it. */
  private async fitted(resub: ResubmissionFacts, req: SubmitRequest): Promise<string[]> {
    const { profile, settings, logger } = this.d;
    let result: FitResult;
    let source = 'none';
    try {
      const directives = await directivesOf(resub.originalArgs, req.cwd).catch(() => []);
      const facts = jobFacts(resub.originalArgs, directives, req.cwd);
      const partition = partitionsOf(facts, profile)[0];
      const progress = await resub.progress();
      source = progress.source;
      result = fitTime({
        target: resub.options.target ?? null,
        tasks: progress.tasks,
        originalMinutes: facts.timeMinutes ?? null,
        partitionMaxMinutes:
          partition === undefined ? null : (profile.partitions[partition]?.maxMinutes ?? null),
        settings: settings.fitTime,
      });
      const time = result.minutes === null ? null : `--time=${formatTimeSpec(result.minutes)}`;
      this.d.record({
        level: 'info',
        kind: 'preflight.fit-time',
        submissionId: resub.submissionId,
        message:
          time === null
            ? `fitted wall-time: kept the recipe's --time: ${result.reason}`
            : `fitted wall-time: ${time} for indices ${resub.indices.join(',')}: ${result.reason}`,
        data: {
          time,
          minutes: result.minutes,
          originalTime: facts.time,
          ceilingMinutes: result.ceilingMinutes,
          target: resub.options.target ?? null,
          source,
          margin: settings.fitTime,
          tasks: result.tasks,
        },
      });
      if (time === null) return req.args;
      return rebuildArgs(parseSbatchArgs(req.args), ['time'], [time]);
    } catch (err) {
      // A fit is an optimisation: failing to measure must not stop the resubmission.
      if (isAgentError(err, 'AGENT_ERR_PREFLIGHT_REFUSED')) throw err;
      logger.warn(
        { err, submissionId: resub.submissionId },
        "fitted wall-time failed; the recipe's --time is kept",
      );
      return req.args;
    }
  }

  version(): Promise<SlurmVersion> {
    return this.d.inner.version();
  }
  accounting(jobIds: string[]): Promise<JobRecord[]> {
    return this.d.inner.accounting(jobIds);
  }
  accountingSince(since: number): Promise<JobRecord[]> {
    return this.d.inner.accountingSince(since);
  }
  queue(jobIds?: string[]): Promise<JobRecord[]> {
    return this.d.inner.queue(jobIds);
  }
  cancel(jobId: string, opts?: { signal?: string; batchOnly?: boolean }): Promise<void> {
    return this.d.inner.cancel(jobId, opts);
  }
}
