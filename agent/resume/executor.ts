// Sends resubmissions exactly once: the intent is written before sbatch, the job is tagged with it,
// and an intent whose outcome is unknown (a crash, a time-out) is looked up before it is ever sent again.
import type { Clock, Timer } from '../clock.js';
import type { IntentRow, Repos, SubmissionRow } from '../db/repos/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatArraySpec } from '../recipe/array-spec.js';
import { parseSbatchArgs, rebuildArgs } from '../recipe/sbatch-args.js';
import { lookUpTagged } from '../slurm/job-tag.js';
import type { JobRecord, Scheduler, SchedulerSearch } from '../slurm/types.js';

export interface ExecutorDeps {
  repos: Repos;
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

export function intentTag(id: number, createdAt: number): string {
  return `emb-agent:intent=${id}:${createdAt.toString(36)}`;
}

/** The recipe's argv restricted to the given indices (throttle kept) and tagged with the intent. */
export function resubmissionArgs(sub: SubmissionRow, indices: number[], tag: string): string[] {
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

  /** Records an intent for these tasks (inside the caller's transaction) without sending it. */
  create(sub: SubmissionRow, indices: number[], kind: IntentRow['kind']): IntentRow {
    const now = this.d.clock.now();
    return this.d.repos.intents.create(
      sub.id,
      kind,
      indices,
      (id) => {
        const tag = intentTag(id, now);
        return { tag, args: resubmissionArgs(sub, indices, tag) };
      },
      now,
    );
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
    const sub = repos.submissions.get(intent.submissionId) as SubmissionRow;
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
      const kind = (err as { kind?: string }).kind;
      if (kind === 'permanent') this.reject(intent, sub, err);
      // A time-out or a garbled answer may hide a job that was accepted: look before resending.
      else this.retryLater(intent, describeError(err));
    }
  }

  private confirm(intent: IntentRow, jobId: string, sub: SubmissionRow, how: string): void {
    const { repos, clock } = this.d;
    const now = clock.now();
    repos.db.transaction(() => {
      repos.intents.confirm(intent.id, jobId, now);
      for (const index of intent.indices) {
        const task = repos.tasks.find(sub.id, index);
        if (!task) continue;
        const taskJobId = sub.arraySpec === null ? jobId : `${jobId}_${index}`;
        repos.attempts.insert({
          taskId: task.id,
          jobId: taskJobId,
          arrayJobId: jobId,
          intentId: intent.id,
          createdAt: now,
        });
        repos.tasks.recordAttempt(task.id, taskJobId, now);
        repos.tasks.setState(task.id, 'queued', `${how} as ${taskJobId}`, now);
      }
      repos.events.add({
        at: now,
        level: 'info',
        kind: 'resume.submitted',
        submissionId: sub.id,
        jobId,
        message: `${how}: indices ${formatArraySpec(intent.indices, null)} as job ${jobId}`,
        data: { intent: intent.id, indices: intent.indices, args: intent.args },
      });
    })();
    this.d.onOutcome?.('submitted');
    this.d.onSubmitted();
  }

  private reject(intent: IntentRow, sub: SubmissionRow, err: unknown): void {
    const { repos, clock } = this.d;
    const now = clock.now();
    const why = describeError(err);
    repos.db.transaction(() => {
      repos.intents.fail(intent.id, why, now);
      for (const index of intent.indices) {
        const task = repos.tasks.find(sub.id, index);
        if (!task) continue;
        repos.tasks.setState(task.id, 'failed', `sbatch refused the resubmission: ${why}`, now);
        repos.tasks.setDiagnosis(
          task.id,
          {
            cause: 'sbatch-rejected',
            hint: 'sbatch refused the job: fix the recipe (account, partition rules) and use `emb-client resubmit`',
            line: why,
          },
          now,
        );
      }
      repos.events.add({
        at: now,
        level: 'error',
        kind: 'resume.rejected',
        submissionId: sub.id,
        message: `sbatch refused the resubmission of indices ${formatArraySpec(intent.indices, null)}: ${why}`,
        data: { intent: intent.id },
      });
    })();
    this.d.onOutcome?.('rejected');
  }

  private retryLater(intent: IntentRow, why: string): void {
    const { repos, clock, logger } = this.d;
    if (this.stopped) return;
    const now = clock.now();
    const delay = Math.min(BACKOFF_BASE_MS * 2 ** intent.tries, BACKOFF_CAP_MS);
    repos.intents.retryLater(intent.id, now + delay, why, now);
    this.d.onOutcome?.('retry');
    repos.events.add({
      at: now,
      level: 'warn',
      kind: 'resume.retry',
      submissionId: intent.submissionId,
      message: `resubmission delayed ${Math.round(delay / 1000)} s: ${why}`,
      data: { intent: intent.id, tries: intent.tries + 1 },
    });
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
