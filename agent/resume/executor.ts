// Sends resubmissions exactly once: the intent is written before sbatch, the job is tagged with it,
// and an intent whose outcome is unknown (a crash, a time-out) is looked up before it is ever sent again.
import type { Clock, Timer } from '../clock.js';
import type { IntentRow, Repos, SubmissionRow } from '../db/repos/index.js';
import type { Diagnoser } from '../diagnose/diagnose.js';
import { diagnoseResubmitRefusal } from '../diagnose/submit.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatArraySpec } from '../recipe/array-spec.js';
import { parseSbatchArgs, rebuildArgs } from '../recipe/sbatch-args.js';
import { isSchedulerError, type SchedulerError } from '../slurm/errors.js';
import { lookUpTagged } from '../slurm/job-tag.js';
import type { JobRecord, Scheduler, SchedulerSearch } from '../slurm/types.js';
import type { TaskLife } from '../tasks/life.js';
import { loadSubmission } from '../tasks/load.js';
import {
  resubmissionDelayed,
  resubmissionPlanned,
  resubmissionRefused,
  resubmissionSent,
} from '../tasks/resubmissions.js';

export interface ExecutorDeps {
  repos: Repos;
  /** Records every outcome (agent/tasks/). */
  life: TaskLife;
  /** Reads a refusal from sbatch's stderr. */
  diagnoser: Diagnoser;
  scheduler: Scheduler & SchedulerSearch;
  clock: Clock;
  logger: Logger;
  /** The tracker looks at new jobs at once. */
  onSubmitted(): void;
  /** Each outcome as it is recorded (metrics count them; a counter must never go down). */
  onOutcome?(outcome: 'submitted' | 'rejected' | 'retry'): void;
}

const BACKOFF_BASE_MS = 5_000;
const BACKOFF_CAP_MS = 10 * 60_000;

function intentTag(id: number, createdAt: number): string {
  return `emb-agent:intent=${id}:${createdAt.toString(36)}`;
}

/** The recipe's argv restricted to the given indices (throttle kept) and tagged with the intent. */
function resubmissionArgs(sub: SubmissionRow, indices: number[], tag: string): string[] {
  const parsed = parseSbatchArgs(sub.args);
  const extra = sub.arraySpec === null ? [] : [`--array=${formatArraySpec(indices, sub.throttle)}`];
  return rebuildArgs(parsed, ['array', 'comment'], [...extra, `--comment=${tag}`]);
}

export class IntentExecutor {
  private readonly d: ExecutorDeps;
  private readonly timers = new Map<number, Timer>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(deps: ExecutorDeps) {
    this.d = deps;
  }

  /** Records an intent for these tasks (inside the caller's TaskLife.atomically, if any) without sending it. */
  create(sub: SubmissionRow, indices: number[], kind: IntentRow['kind']): IntentRow {
    return resubmissionPlanned(this.d.life, sub, indices, kind, (id, now) => {
      const tag = intentTag(id, now);
      return { tag, args: resubmissionArgs(sub, indices, tag) };
    });
  }

  /** Sends an intent now; an intent that may already have reached sbatch is looked up first. */
  run(intent: IntentRow, lookUpFirst: boolean): Promise<void> {
    const p = this.send(intent, lookUpFirst).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  /** On start: every open intent may have reached sbatch before the last stop, so each is looked up. */
  async reconcile(): Promise<void> {
    for (const intent of this.d.repos.intents.pending()) await this.run(intent, true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private async send(intent: IntentRow, lookUpFirst: boolean): Promise<void> {
    const { repos, scheduler, logger } = this.d;
    const sub = loadSubmission(repos, intent.submissionId);
    if (lookUpFirst) {
      let found: JobRecord | undefined;
      try {
        found = await lookUpTagged(scheduler, intent.tag, Math.floor(intent.createdAt / 1000) - 60);
      } catch (err) {
        this.retryLater(intent, `could not look the intent up: ${describeError(err)}`);
        return;
      }
      if (found) {
        logger.info(
          { intent: intent.id, jobId: found.arrayJobId },
          'intent had already reached sbatch; recorded',
        );
        this.confirm(intent, found.arrayJobId, sub, 'found after a restart or a lost answer');
        return;
      }
    }
    try {
      const { jobId } = await scheduler.submit({ args: intent.args, cwd: sub.cwd, env: sub.env });
      this.confirm(intent, jobId, sub, 'resubmitted');
    } catch (err) {
      if (isSchedulerError(err, 'permanent')) this.reject(intent, sub, err);
      // A time-out or a garbled answer may hide a job that was accepted: look before resending.
      else this.retryLater(intent, describeError(err));
    }
  }

  private confirm(intent: IntentRow, jobId: string, sub: SubmissionRow, how: string): void {
    resubmissionSent(this.d.life, intent, sub, jobId, how);
    this.d.onOutcome?.('submitted');
    this.d.onSubmitted();
  }

  private reject(intent: IntentRow, sub: SubmissionRow, err: SchedulerError): void {
    const why = describeError(err);
    const stderr = err.stderr || why;
    const diagnosis = diagnoseResubmitRefusal(stderr, intent.args, why, this.d.diagnoser);
    resubmissionRefused(this.d.life, intent, sub, why, diagnosis);
    this.d.onOutcome?.('rejected');
  }

  private retryLater(intent: IntentRow, why: string): void {
    const { repos, clock, logger } = this.d;
    if (this.stopped) return;
    const delay = Math.min(BACKOFF_BASE_MS * 2 ** intent.tries, BACKOFF_CAP_MS);
    resubmissionDelayed(this.d.life, intent, delay, why);
    this.d.onOutcome?.('retry');
    logger.warn({ intent: intent.id, delayMs: delay, why }, 'resubmission delayed');
    this.timers.get(intent.id)?.cancel();
    this.timers.set(
      intent.id,
      clock.setTimer(delay, () => {
        this.timers.delete(intent.id);
        const fresh = repos.intents.get(intent.id);
        if (fresh?.state === 'pending') void this.run(fresh, true);
      }),
    );
  }
}
