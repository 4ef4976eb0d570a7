// The gate in front of waiting submissions (submit --after, pipeline steps): on each cycle and whenever a
// recorded event may have changed a prerequisite, it looks at the open waits only (a small table, never all
// tasks), records what each waits for, and sends the ready ones through the normal submit (its intent and
// the preflight decorator), so a crash never sends one twice.
import type { z } from 'zod';
import type { SubmitBody, SubmitReplySchema } from '../api/schemas.js';
import type { Clock, Timer } from '../clock.js';
import type { EventKind } from '../tasks/event-kinds.js';
import type { EventRow } from '../db/repos/index.js';
import { AgentError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { prepareSubmit, submitRecipe, type SubmitDeps } from '../commands/submit.js';
import { schedulerFailure } from '../commands/errors.js';
import { resolveTarget } from '../tasks/targets.js';
import {
  openWaits,
  submissionWaiting,
  waitDropped,
  waitOf,
  waitReasonSeen,
  waitReleased,
  waitSendFailed,
  waitSending,
  type WaitRow,
} from '../tasks/waits.js';
import type { SubmissionRow } from '../db/repos/index.js';
import { verdict, type PrerequisiteFacts } from './prerequisites.js';
import { waitingView } from './view.js';

export interface GateDeps {
  submit: SubmitDeps;
  clock: Clock;
  logger: Logger;
  /** Between two looks when nothing was recorded (the tracker's cycle). */
  pollMs: number;
  /**
   * The site's rules for a job sent later (agent/preflight/): a refusal is better heard now than days later,
   * when the prerequisites are done. Throws the refusal.
   */
  checkFirst?(body: SubmitBody): Promise<void>;
}

type Reply = z.infer<typeof SubmitReplySchema>;

/** Events after which a prerequisite may have changed: others (log lines, tokens) never wake the gate. */
const WAKING = new Set<EventKind>([
  'decision',
  'submission.created',
  'steering',
  'task.cancelled',
  'wait.created',
  'wait.released',
  'wait.dropped',
]);

export class WaitGate {
  private readonly d: GateDeps;
  private timer: Timer | null = null;
  private soon: Timer | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private unlisten: (() => void) | null = null;

  constructor(deps: GateDeps) {
    this.d = deps;
  }

  private get life() {
    return this.d.submit.life;
  }

  start(): void {
    this.stopped = false;
    this.unlisten = this.life.onRecorded((e) => this.heard(e));
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    this.timer?.cancel();
    this.soon?.cancel();
    await this.running;
  }

  /** `submit --after X...`: the submission is recorded waiting; nothing reaches Slurm yet. */
  async submitAfter(body: SubmitBody): Promise<Reply> {
    const after = this.prerequisites(body.after ?? []);
    const { recipe, report } = await prepareSubmit(this.d.submit, body);
    await this.checkFirst(body);
    const id = submissionWaiting(this.life, recipe, body, after);
    this.kick();
    const w = waitOf(this.life, id);
    return { submissionId: id, jobId: '', ...report, ...(w ? { waiting: waitingView(w) } : {}) };
  }

  /** The preflight of a job to be sent later; nothing is recorded when it refuses. `what` prefixes the error. */
  async checkFirst(body: SubmitBody, what = 'not kept back'): Promise<void> {
    try {
      await this.d.checkFirst?.(body);
    } catch (err) {
      const e = schedulerFailure(err, 'preflight');
      throw new AgentError(e.code, `${what}: ${e.message}`, { cause: err });
    }
  }

  /** The submission ids X names (any job id of a submission, or #N), each once. */
  prerequisites(targets: string[]): number[] {
    const ids = targets.map((t) => resolveTarget(this.life.repos, t).sub.id);
    return [...new Set(ids)];
  }

  /** `release` of a waiting submission: sent now. null when the target is no waiting submission. */
  release(target: string): { submissionId: number; indices: number[]; message: string } | null {
    const { sub } = resolveTarget(this.life.repos, target);
    const w = waitOf(this.life, sub.id);
    if (!w || w.state !== 'waiting') return null;
    waitReleased(this.life, sub.id);
    this.kick();
    return { submissionId: sub.id, indices: [], message: `released: #${sub.id} is sent now` };
  }

  /**
   * `cancel` of a submission that is still waiting: dropped, never sent. false when it is not waiting (the
   * caller cancels its jobs). One being sent at this moment cannot be dropped: its job may exist already.
   */
  drop(sub: SubmissionRow, by: string): boolean {
    const w = waitOf(this.life, sub.id);
    if (!w || w.state === 'sent' || w.state === 'dropped') return false;
    if (w.state === 'sending')
      throw new AgentError(
        'AGENT_ERR_CONFLICT',
        `#${sub.id} is being sent to Slurm right now: cancel it again once it has its job id`,
      );
    waitDropped(this.life, sub, by);
    return true;
  }

  /** `cancel TARGET` when it names a waiting submission: dropped. null when not (the caller cancels jobs). */
  dropTarget(
    target: string,
    by: string,
  ): { submissionId: number; indices: number[]; message: string } | null {
    const { sub, task } = resolveTarget(this.life.repos, target);
    if (task !== null || !this.drop(sub, by)) return null;
    return {
      submissionId: sub.id,
      indices: [],
      message: `dropped: #${sub.id} was waiting and is never sent`,
    };
  }

  /** Looks soon (coalesced): many events of one transaction wake one check. */
  kick(): void {
    if (this.stopped || this.soon) return;
    this.soon = this.d.clock.setTimer(0, () => {
      this.soon = null;
      void this.check();
    });
  }

  /** One look at the open waits; a call during one runs it again after. Never throws. */
  check(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async () => {
      do {
        this.again = false;
        try {
          await this.once();
        } catch (err) {
          this.d.logger.error({ err }, 'the check of waiting submissions failed; trying again next cycle');
        }
      } while (this.again && !this.stopped);
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private heard(e: EventRow): void {
    if (WAKING.has(e.kind as EventKind)) this.kick();
  }

  private tick(): void {
    if (this.stopped) return;
    void this.check().then(() => {
      if (!this.stopped) this.timer = this.d.clock.setTimer(this.d.pollMs, () => this.tick());
    });
  }

  private async once(): Promise<void> {
    const open = openWaits(this.life);
    if (!open.length) return;
    const facts = new Map<number, PrerequisiteFacts>();
    for (const w of open) {
      if (w.state === 'sending') {
        this.settleSending(w);
        continue;
      }
      if (w.failed !== null) continue;
      for (const id of w.after) if (!facts.has(id)) facts.set(id, this.factsOf(id));
      const v = verdict(w, facts);
      if (!v.ready) {
        waitReasonSeen(this.life, w, v.reason, v.blocked);
        continue;
      }
      if (this.stopped) return;
      await this.send(w);
    }
  }

  private factsOf(id: number): PrerequisiteFacts {
    const w = waitOf(this.life, id);
    const rows = this.life.repos.db
      .prepare('SELECT state, count(*) AS n FROM tasks WHERE submission_id = ? GROUP BY state')
      .all(id) as { state: string; n: number }[];
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.state] = r.n;
    return { id, wait: w && w.state !== 'sent' ? w.state : null, counts };
  }

  /** A send left open by a crash: the settler finds its job (the submit fills it) or closes its intent. */
  private settleSending(w: WaitRow): void {
    const intent = w.intentId === null ? undefined : this.life.repos.submitIntents.get(w.intentId);
    if (intent?.state === 'failed')
      waitSendFailed(this.life, w.submissionId, intent.error ?? 'sbatch failed');
  }

  private async send(w: WaitRow): Promise<void> {
    const { logger } = this.d;
    try {
      const reply = await submitRecipe(this.d.submit, w.body, (intentId) =>
        waitSending(this.life, w.submissionId, intentId),
      );
      logger.info({ submissionId: w.submissionId, jobId: reply.jobId }, 'a waiting submission was sent');
    } catch (err) {
      const fresh = waitOf(this.life, w.submissionId);
      const intent = fresh?.intentId == null ? undefined : this.life.repos.submitIntents.get(fresh.intentId);
      // An unclear answer leaves the intent open: the settler looks for the job at the next start.
      if (fresh?.state === 'sending' && intent?.state === 'pending') {
        logger.warn({ err, submissionId: w.submissionId }, "a waiting submission's sbatch answer was lost");
        return;
      }
      logger.warn({ err, submissionId: w.submissionId }, 'a waiting submission could not be sent');
      waitSendFailed(this.life, w.submissionId, describeError(err));
    }
  }
}
