// Decides every ended attempt by the resume contract and batches the resumes of one submission
// into a single sbatch per short window.
import type { Clock, Timer } from '../clock.js';
import type { AttemptRow, Repos, TaskRow } from '../db/repos/index.js';
import type { Logger } from '../log.js';
import { decided, superseded } from '../tasks/decided.js';
import type { TaskLife } from '../tasks/life.js';
import { loadSubmission, loadTask } from '../tasks/load.js';
import { resubmissionDeferred } from '../tasks/resubmissions.js';
import type { IntentExecutor } from './executor.js';
import { inspectAttempt, type InspectDeps, type LogDiagnosis } from './inspect.js';
import { decide, stateFor, type Verdict } from './policy.js';

export interface EngineSettings {
  maxAttempts: number;
  budgetPerHour: number;
  batchWindowMs: number;
}

export interface EngineDeps extends InspectDeps {
  repos: Repos;
  /** Records every decision (agent/tasks/). */
  life: TaskLife;
  clock: Clock;
  logger: Logger;
  executor: IntentExecutor;
  settings: EngineSettings;
  /** The diagnosis of an ended attempt from its Slurm state and what its log said. */
  diagnoseEnd(
    end: { state: string; stateDetail: string | null; exitCode: number | null; exitSignal: number | null },
    fromLog: LogDiagnosis | null,
  ): LogDiagnosis | null;
  /** The attempt's decision is recorded: its log need not be followed any more. */
  onDecided(attempt: AttemptRow): void;
  /** The login name of a uid ("CANCELLED by 1001" names a person), or null when unknown. */
  nameOfUid(uid: number): Promise<string | null>;
}

const HOUR_MS = 3_600_000;

export class ResumeEngine {
  private readonly d: EngineDeps;
  private readonly batches = new Map<number, Timer>();
  private stopped = true;

  constructor(deps: EngineDeps) {
    this.d = deps;
  }

  /** Settles what the last run left open: unsent intents, undecided attempts, tasks waiting to resume. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.d.executor.reconcile();
    await this.onEnded(this.d.repos.attempts.undecided());
    const waiting = new Set(
      this.d.repos.tasks
        .all()
        .filter((t) => t.state === 'resuming')
        .map((t) => t.submissionId),
    );
    for (const id of waiting) this.schedule(id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.batches.values()) t.cancel();
    this.batches.clear();
    await this.d.executor.stop();
  }

  /** Called by the tracker with attempts that reached a terminal state. */
  async onEnded(attempts: AttemptRow[]): Promise<void> {
    for (const a of attempts) {
      if (a.decided) continue;
      // One attempt whose facts cannot be read must not hold back the others; it is retried at next start.
      try {
        await this.decideAttempt(a);
      } catch (err) {
        this.d.logger.error(
          { err, jobId: a.jobId },
          'could not decide an ended attempt; left for the next start',
        );
      }
    }
  }

  private async decideAttempt(a: AttemptRow): Promise<void> {
    const { repos, life } = this.d;
    const task = loadTask(repos, a.taskId);
    const sub = loadSubmission(repos, task.submissionId);
    const latest = repos.attempts.latestForTask(task.id);
    if (latest && latest.id !== a.id) {
      // An older attempt ending late (e.g. adopted history) must not override the task's newer one.
      superseded(life, task, a);
      return;
    }
    const seen = await inspectAttempt(this.d, sub, task.index, a);
    const stateDetail = await this.namedDetail(a);
    const verdict = decide({
      slurmState: a.slurmState,
      stateDetail,
      exitCode: a.exitCode,
      doneMarkerPresent: seen.doneMarkerPresent,
      checkpointSeen: seen.checkpointSeen,
      progressMade: seen.progressMade,
      attempts: task.attempts,
      maxAttempts: sub.maxAttempts ?? this.d.settings.maxAttempts,
      resumeEnabled: sub.resume,
      held: task.held || sub.held,
    });
    const diagnosis =
      verdict.decision === 'done'
        ? null
        : this.d.diagnoseEnd(
            {
              state: a.slurmState,
              stateDetail,
              exitCode: a.exitCode,
              exitSignal: a.exitSignal,
            },
            seen.diagnosis,
          );
    decided(life, sub, task, a, {
      decision: verdict.decision,
      reason: verdict.reason,
      state: stateFor(verdict.decision),
      level: verdictLevel(verdict),
      diagnosis,
      facts: {
        checkpointSeen: seen.checkpointSeen,
        progressMade: seen.progressMade,
        doneMarkerPresent: seen.doneMarkerPresent,
      },
    });
    this.d.onDecided(a);
    if (verdict.decision === 'resume') this.schedule(sub.id);
  }

  /** "by 1001" as "by alice (uid 1001)"; the bare uid when the user database cannot say. */
  private async namedDetail(a: AttemptRow): Promise<string | null> {
    const uid = /^by (\d+)$/.exec(a.stateDetail ?? '')?.[1];
    if (uid === undefined) return a.stateDetail;
    try {
      const name = await this.d.nameOfUid(Number(uid));
      return name === null ? a.stateDetail : `by ${name} (uid ${uid})`;
    } catch (err) {
      this.d.logger.warn({ err, uid }, 'could not look up the user who cancelled a job');
      return a.stateDetail;
    }
  }

  /** Resumes of one submission that come within the window go out as one sbatch. */
  schedule(submissionId: number, delayMs = this.d.settings.batchWindowMs): void {
    if (this.stopped || this.batches.has(submissionId)) return;
    this.batches.set(
      submissionId,
      this.d.clock.setTimer(delayMs, () => {
        this.batches.delete(submissionId);
        this.flush(submissionId);
      }),
    );
  }

  /** Never two live attempts of one task. */
  private noLiveAttempt(t: TaskRow): boolean {
    const latest = this.d.repos.attempts.latestForTask(t.id);
    return !latest || latest.ended;
  }

  /** Sends one intent for every task of the submission that waits to resume and has no live attempt. */
  flush(submissionId: number): void {
    const { repos, clock, executor, settings, logger } = this.d;
    const sub = loadSubmission(repos, submissionId);
    const now = clock.now();
    const open = new Set(
      repos.intents
        .pending()
        .filter((i) => i.submissionId === submissionId)
        .flatMap((i) => i.indices),
    );
    const ready = repos.tasks
      .bySubmission(submissionId)
      .filter((t) => t.state === 'resuming' && !open.has(t.index) && this.noLiveAttempt(t))
      .filter((t) => !(t.held || sub.held));
    if (!ready.length) return;
    if (repos.intents.countSince(now - HOUR_MS) >= settings.budgetPerHour) {
      const msg = `the hourly submission budget (${settings.budgetPerHour}) is spent; retrying in 5 minutes`;
      resubmissionDeferred(this.d.life, submissionId, ready, msg);
      logger.warn({ submissionId }, msg);
      this.schedule(submissionId, 5 * 60_000);
      return;
    }
    const indices = ready.map((t) => t.index);
    const intent = executor.create(sub, indices, 'resume');
    void executor.run(intent, false);
  }
}

function verdictLevel(v: Verdict): 'info' | 'warn' | 'error' {
  if (v.decision === 'done' || v.decision === 'resume') return 'info';
  return v.decision === 'failed' ? 'error' : 'warn';
}
