// A user's submit is never forgotten: it is written down (an intent, with its --comment tag) before sbatch
// runs, recorded as a submission once the job id is known, and an intent still open at start (the agent was
// killed between sbatch and the database, or the disk was full) is looked up by its tag: found, it becomes
// the submission; not found once no sbatch can still be running, it is marked failed with an event.
import type { Clock, Timer } from '../clock.js';
import type { Repos, SubmitIntentRow } from '../db/repos/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { lookUpTagged } from '../slurm/job-tag.js';
import type { Scheduler, SchedulerSearch } from '../slurm/types.js';
import type { TaskLife } from '../tasks/life.js';
import { submitLost, submitted } from '../tasks/submissions.js';

export interface SettlerDeps {
  repos: Repos;
  /** Records the submission found, or the submit lost (agent/tasks/). */
  life: TaskLife;
  scheduler: Scheduler & SchedulerSearch;
  clock: Clock;
  logger: Logger;
  /**
   * How long after an intent was made a job may still appear: an sbatch the dead agent started can finish
   * after it (Slurm retries its own messages for a while). Not found after this, the submit is lost.
   */
  windowMs: number;
  onSubmitted(): void;
}

/** Between two look-ups of an intent not found yet, or whose look-up failed. */
const RETRY_MS = 15_000;

export class SubmitSettler {
  private readonly d: SettlerDeps;
  private readonly timers = new Map<number, Timer>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(deps: SettlerDeps) {
    this.d = deps;
  }

  /**
   * Takes the intents open now (before the API takes new submits, so none is in flight) and settles each;
   * returns at once: a slow scheduler must not hold up the start.
   */
  start(): void {
    for (const intent of this.d.repos.submitIntents.pending()) this.run(intent);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private run(intent: SubmitIntentRow): void {
    const p = this.settle(intent).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async settle(intent: SubmitIntentRow): Promise<void> {
    const { scheduler, clock, logger, windowMs } = this.d;
    const what = `${intent.recipe.name ?? 'job'} (${intent.recipe.args.join(' ')})`;
    if (intent.tag === null) {
      this.lost(
        intent,
        `the agent stopped while submitting ${what}, and the job carries your own --comment, so it cannot be ` +
          'found by a tag: check squeue, then `emb-client adopt JOBID` or submit again',
      );
      return;
    }
    try {
      const found = await lookUpTagged(scheduler, intent.tag, Math.floor(intent.createdAt / 1000) - 60);
      if (found) {
        const id = submitted(this.d.life, intent, found.arrayJobId, 'found after a restart:');
        logger.info(
          { intent: intent.id, jobId: found.arrayJobId, submissionId: id },
          'a lost submit was found by its tag',
        );
        this.d.onSubmitted();
        return;
      }
      if (clock.now() - intent.createdAt >= windowMs) {
        this.lost(
          intent,
          `the agent stopped while submitting ${what}; no job with its tag (${intent.tag}) is known to squeue ` +
            'or sacct, so it never reached Slurm: submit it again',
        );
        return;
      }
      this.later(intent, 'not found yet');
    } catch (err) {
      this.later(intent, `look-up failed: ${describeError(err)}`);
    }
  }

  private later(intent: SubmitIntentRow, why: string): void {
    if (this.stopped) return;
    this.d.logger.info({ intent: intent.id, why }, 'looking for an interrupted submit again soon');
    this.timers.set(
      intent.id,
      this.d.clock.setTimer(RETRY_MS, () => {
        this.timers.delete(intent.id);
        const fresh = this.d.repos.submitIntents.get(intent.id);
        if (fresh?.state === 'pending' && !this.stopped) this.run(fresh);
      }),
    );
  }

  private lost(intent: SubmitIntentRow, message: string): void {
    submitLost(this.d.life, intent, message);
    this.d.logger.error({ intent: intent.id }, message);
  }
}
