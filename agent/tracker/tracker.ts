// Follows every live attempt with one batched scheduler query per cycle, and none while nothing is live.
import type { Clock, Timer } from '../clock.js';
import type { AttemptRow, Repos } from '../db/repos/index.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { JobRecord, Scheduler } from '../slurm/types.js';
import type { TaskLife } from '../tasks/life.js';
import { attemptLost, schedulerFactsSeen } from '../tasks/scheduler-facts.js';
import { byJobId, mergeRecords } from './merge-records.js';
import { isTerminal, liveTaskState } from './states.js';

/** While a task is about to end (its log showed the checkpoint marker), poll this often. */
const HURRY_POLL_MS = 3_000;
const HURRY_FOR_MS = 3 * 60_000;

/** Cycles asked for by nudge() (a log appeared, a client asked) start at least this far apart. */
export const NUDGE_GAP_MS = 5_000;

/**
 * squeue shows a job's end seconds before slurmdbd has it, and only sacct says who cancelled it ("by <uid>")
 * and how it ended: an end seen in squeue alone waits for sacct this long (polling as when hurrying).
 */
const ACCOUNTING_WAIT_MS = 30_000;

/** An attempt the scheduler has never shown us for this long is recorded as lost. */
const LOST_AFTER_MS = 60 * 60 * 1000;

export interface TrackerHooks {
  /** Attempts that reached a terminal state in this cycle (the resume engine decides them). */
  onEnded(attempts: AttemptRow[]): Promise<void>;
  /** Attempts whose log paths became known, or that are live at start (the log watcher tails them). */
  onLogsKnown(attempts: AttemptRow[]): void;
}

export interface TrackerStatus {
  lastPollAt: number | null;
  lastError: string | null;
  liveJobs: number;
  cycles: number;
  /** When the loop last finished a cycle, idle or failed ones included: a stuck tracker stops moving it. */
  lastCycleAt: number | null;
}

export interface TrackerDeps {
  repos: Repos;
  /** Records what the scheduler showed (agent/tasks/). */
  life: TaskLife;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  pollMs: number;
  hooks: TrackerHooks;
}

export class Tracker {
  private readonly d: TrackerDeps;
  private timer: Timer | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private hurryUntil = 0;
  /** When the latest cycle started, and when the timer will start the next one. */
  private cycleStartedAt: number | null = null;
  private timerDueAt: number | null = null;
  /** A nudge came during a cycle: the next one starts NUDGE_GAP_MS after it, not a whole interval. */
  private nudged = false;
  /** Attempt id → when squeue first showed its end while sacct did not yet (see ACCOUNTING_WAIT_MS). */
  private readonly endsAwaitingAcct = new Map<number, number>();
  /** Resolved when the next cycle to start has finished (refresh()). */
  private waiters: (() => void)[] = [];
  private readonly st: TrackerStatus = {
    lastPollAt: null,
    lastError: null,
    liveJobs: 0,
    cycles: 0,
    lastCycleAt: null,
  };

  constructor(deps: TrackerDeps) {
    this.d = deps;
  }

  start(): void {
    this.stopped = false;
    const live = this.d.repos.attempts.live();
    this.st.liveJobs = new Set(live.map((a) => a.arrayJobId)).size;
    const withLogs = live.filter((a) => a.stdoutPath !== null);
    if (withLogs.length) this.d.hooks.onLogsKnown(withLogs);
    this.poke();
  }

  /** Stops the schedule and waits for a cycle in flight, so nothing writes after stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    await this.running;
    this.release(this.waiters.splice(0));
  }

  status(): TrackerStatus {
    return { ...this.st };
  }

  /**
   * A log showed a task checkpointing or ending: look now, and keep looking every few seconds for a
   * while, so its resubmission does not wait for the next full cycle.
   */
  hurry(): void {
    this.hurryUntil = this.d.clock.now() + HURRY_FOR_MS;
    this.poke();
  }

  /**
   * Something suggests a task changed state (its log appeared: it started): a cycle soon, but never sooner
   * than NUDGE_GAP_MS after the previous one started, so a stream of such hints costs at most one cycle per
   * gap, each still one squeue and one sacct.
   */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.nudged = true;
      return;
    }
    const at = (this.cycleStartedAt ?? -Infinity) + NUDGE_GAP_MS;
    const now = this.d.clock.now();
    if (at <= now) return this.poke();
    if (this.timerDueAt !== null && this.timerDueAt <= at) return;
    this.schedule(at - now);
  }

  /** Runs a cycle now (or right after the one in flight) and resolves once it has finished. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.poke();
    return done;
  }

  /** Runs a cycle now (or right after the one in flight), e.g. when a log shows a task ending. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer?.cancel();
    this.timer = null;
    this.timerDueAt = null;
    const waiters = this.waiters.splice(0);
    this.cycleStartedAt = this.d.clock.now();
    this.running = this.cycle()
      .catch((err: unknown) => this.d.logger.error({ err }, 'tracker cycle failed'))
      .finally(() => {
        this.running = null;
        this.st.lastCycleAt = this.d.clock.now();
        this.release(waiters);
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.nudged = false;
          this.poke();
          return;
        }
        const hurrying = this.d.clock.now() < this.hurryUntil && this.st.liveJobs > 0;
        let delay = hurrying ? Math.min(HURRY_POLL_MS, this.d.pollMs) : this.d.pollMs;
        if (this.nudged) delay = Math.min(delay, NUDGE_GAP_MS);
        this.nudged = false;
        this.schedule(delay);
      });
  }

  private schedule(delayMs: number): void {
    this.timer?.cancel();
    this.timerDueAt = this.d.clock.now() + delayMs;
    this.timer = this.d.clock.setTimer(delayMs, () => this.poke());
  }

  private release(waiters: (() => void)[]): void {
    for (const resolve of waiters) resolve();
  }

  /** One cycle: at most one sacct and one squeue call, whatever the number of tracked tasks. */
  async cycle(): Promise<void> {
    const { repos, scheduler, clock, logger } = this.d;
    const live = repos.attempts.live();
    this.st.liveJobs = new Set(live.map((a) => a.arrayJobId)).size;
    if (!live.length) return;
    const ids = [...new Set(live.map((a) => a.arrayJobId))];
    let acct: Map<string, JobRecord>;
    let queue: Map<string, JobRecord>;
    try {
      // squeue answers from slurmctld's memory (log paths, the newest state); sacct lags it by seconds but
      // remembers jobs that left the queue. Both, once each, whatever the number of tasks.
      queue = byJobId(await scheduler.queue());
      acct = byJobId(await scheduler.accounting(ids));
    } catch (err) {
      this.st.lastError = describeError(err);
      logger.warn({ err, jobs: ids.length }, 'scheduler query failed; cycle skipped, nothing changed');
      return;
    }
    this.st.lastPollAt = clock.now();
    this.st.lastError = null;
    this.st.cycles++;
    const ended: AttemptRow[] = [];
    const logsKnown: AttemptRow[] = [];
    const now = clock.now();
    const liveIds = new Set(live.map((a) => a.id));
    for (const id of this.endsAwaitingAcct.keys()) if (!liveIds.has(id)) this.endsAwaitingAcct.delete(id);
    // One transaction per cycle: thousands of tasks cost one commit.
    this.d.life.atomically(() => {
      const taskStates = repos.tasks.liveStates();
      for (const a of live) {
        const acctRec = acct.get(a.jobId);
        const rec = mergeRecords(acctRec, queue.get(a.jobId));
        if (!rec) {
          if (now - a.createdAt > LOST_AFTER_MS) attemptLost(this.d.life, a);
          continue;
        }
        const terminal = isTerminal(rec.state);
        if (terminal && this.awaitingAccounting(a.id, acctRec, now)) continue;
        const facts = {
          jobIdRaw: rec.jobIdRaw,
          slurmState: rec.state,
          stateDetail: rec.stateDetail,
          exitCode: rec.exitCode,
          exitSignal: rec.exitSignal,
          stdoutPath: rec.stdoutPath,
          stderrPath: rec.stderrPath,
          submittedAt: rec.submitTime,
          // squeue's StartTime of a pending job and EndTime of a running one are projections, not facts.
          startedAt: rec.state === 'PENDING' ? null : rec.startTime,
          endedAt: terminal ? rec.endTime : null,
          ended: terminal,
          timeLimitMinutes: rec.timeLimitMinutes,
          node: rec.node,
        };
        const task = taskStates.get(a.taskId);
        const seen =
          terminal || !task ? null : { state: liveTaskState(rec.state), detail: rec.stateDetail, task };
        const updated = schedulerFactsSeen(this.d.life, a, facts, task?.submissionId ?? null, seen);
        // A pending task's log is awaited (the bridge follows it once Slurm creates it); a path reported while
        // pending may be a guess from the array's pattern, so the running task's path is handed over again.
        const pathChanged = updated.stdoutPath !== a.stdoutPath || updated.stderrPath !== a.stderrPath;
        const started = a.slurmState === 'PENDING' && rec.state !== 'PENDING';
        if (updated.stdoutPath !== null && (pathChanged || started)) logsKnown.push(updated);
        if (terminal) ended.push(updated);
      }
    });
    if (this.endsAwaitingAcct.size) this.hurryUntil = Math.max(this.hurryUntil, now + ACCOUNTING_WAIT_MS);
    if (logsKnown.length) this.d.hooks.onLogsKnown(logsKnown);
    this.st.liveJobs = repos.attempts.liveJobCount();
    if (ended.length) await this.d.hooks.onEnded(ended);
  }

  /**
   * Whether an end that squeue shows and sacct does not (yet) should wait a cycle: deciding on squeue's
   * record alone loses the canceller and the exit code sacct adds a moment later. Not past ACCOUNTING_WAIT_MS.
   */
  private awaitingAccounting(attemptId: number, acctRec: JobRecord | undefined, now: number): boolean {
    if (acctRec && isTerminal(acctRec.state)) {
      this.endsAwaitingAcct.delete(attemptId);
      return false;
    }
    const since = this.endsAwaitingAcct.get(attemptId) ?? now;
    if (now - since >= ACCOUNTING_WAIT_MS) {
      this.endsAwaitingAcct.delete(attemptId);
      return false;
    }
    this.endsAwaitingAcct.set(attemptId, since);
    return true;
  }
}
