// What the agent records, turned into what a person is told: a task's decision to failed, stalled or
// exhausted (with its diagnosis), a submission whose tasks are all done, a SAS token that cannot be
// refreshed, a shard folder reaching its target, a start after an unclean stop, and what the agent cannot get
// past alone (sbatch refused a resubmission, a submit was lost, a kept-back submission is blocked or refused).
import type { Clock, Timer } from '../clock.js';
import type { NotifyEvent } from './types.js';

/** A recorded event as the events table holds it (agent/tasks' listener hands these over). */
export interface RecordedEvent {
  at: number;
  level: 'info' | 'warn' | 'error';
  kind: string;
  submissionId: number | null;
  taskId: number | null;
  jobId: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

export interface EventLookups {
  task(
    id: number,
  ): { index: number; diagnosisCause: string | null; diagnosisHint: string | null } | undefined;
  /** The submission's name and its tasks' states; undefined when unknown. */
  submission(id: number): { name: string | null; states: readonly string[] } | undefined;
  /** The shard count an earlier run of the agent last recorded for the folder; null when none did. */
  shardCountBefore?(dir: string): number | null;
}

export interface ShardProgress {
  dir: string;
  count: number;
  target: number | null;
}

/** Whoever stopped without releasing the lease: a crash, a kill -9, a node that went down. */
export interface UncleanStop {
  host: string | null;
  pid: number | null;
  /** Its last heartbeat, epoch ms. */
  lastSeenAt: number | null;
}

const TOKEN_KINDS = new Set(['token-refresh-failing', 'token-refresh-refused', 'token-expired']);
const TASK_ENDS = new Set(['failed', 'stalled', 'exhausted'] as const);
/** Recorded events after which nothing moves until a person acts (each is recorded once, not per retry). */
const BLOCKED_KINDS = new Set(['resume.rejected', 'submit.lost', 'wait.blocked', 'wait.refused']);
/** A burst of decisions (an array ending) is looked at once, this long after the first. */
const DONE_CHECK_MS = 2_000;

export interface EventSourceOptions {
  clock: Clock;
  lookups: EventLookups;
  offer: (e: NotifyEvent) => void;
}

export class NotifySource {
  private readonly doneChecks = new Set<number>();
  private readonly announcedDone = new Set<number>();
  private doneTimer: Timer | null = null;
  /** Per folder: whether it was at its target when last seen; absent until first seen. */
  private readonly atTarget = new Map<string, boolean>();

  constructor(private readonly o: EventSourceOptions) {}

  recorded(e: RecordedEvent): void {
    if (e.kind === 'decision') this.decision(e);
    else if (BLOCKED_KINDS.has(e.kind)) {
      this.o.offer({
        kind: 'blocked',
        level: e.level === 'info' ? 'warn' : e.level,
        submissionId: e.submissionId,
        taskId: e.taskId,
        jobId: e.jobId,
        message: e.message,
        data: { event: e.kind },
        at: e.at,
      });
    } else if (TOKEN_KINDS.has(e.kind)) {
      const collection = typeof e.data?.collection === 'string' ? e.data.collection : null;
      this.o.offer({
        kind: 'token',
        level: e.level,
        subject: collection,
        message: e.message,
        data: { collection, event: e.kind },
        at: e.at,
      });
    }
  }

  /**
   * A shard folder's count after a change. Its first sight is compared with what the agent's previous run
   * last counted, so a target reached while the agent was down is announced once and a folder already
   * complete then is not; with no earlier count the first sight is the baseline. Going below re-arms it.
   */
  shards(s: ShardProgress): void {
    if (s.target === null) return;
    const reached = s.count >= s.target;
    const before = this.atTarget.get(s.dir) ?? this.atTargetBefore(s.dir, s.target);
    this.atTarget.set(s.dir, reached);
    if (before !== false || !reached) return;
    this.o.offer({
      kind: 'shards',
      level: 'info',
      subject: s.dir,
      message: `${s.dir} holds ${s.count} shards, its target of ${s.target}`,
      data: { dir: s.dir, count: s.count, target: s.target },
      at: this.o.clock.now(),
    });
  }

  private atTargetBefore(dir: string, target: number): boolean | undefined {
    const count = this.o.lookups.shardCountBefore?.(dir) ?? null;
    return count === null ? undefined : count >= target;
  }

  crashed(prev: UncleanStop): void {
    const who = prev.host
      ? `${prev.host}${prev.pid === null ? '' : ` (pid ${prev.pid})`}`
      : 'an earlier agent';
    const seen = prev.lastSeenAt === null ? '' : `, last seen ${new Date(prev.lastSeenAt).toISOString()}`;
    this.o.offer({
      kind: 'crash',
      level: 'warn',
      subject: 'agent',
      message: `emb-agent started after ${who} stopped without releasing its lease${seen}; tasks that ended meanwhile are being looked at now`,
      data: { ...prev },
      at: this.o.clock.now(),
    });
  }

  stop(): void {
    this.doneTimer?.cancel();
    this.doneTimer = null;
  }

  private decision(e: RecordedEvent): void {
    const decision = e.data?.decision;
    if (e.submissionId !== null) {
      this.doneChecks.add(e.submissionId);
      this.doneTimer ??= this.o.clock.setTimer(DONE_CHECK_MS, () => this.checkDone());
    }
    if (typeof decision !== 'string' || !TASK_ENDS.has(decision as 'failed')) return;
    const task = e.taskId === null ? undefined : this.o.lookups.task(e.taskId);
    const cause = task?.diagnosisCause ?? (typeof e.data?.diagnosis === 'string' ? e.data.diagnosis : null);
    this.o.offer({
      kind: decision as 'failed' | 'stalled' | 'exhausted',
      level: e.level,
      submissionId: e.submissionId,
      taskId: e.taskId,
      jobId: e.jobId,
      message: task ? `task ${task.index}: ${e.message}` : e.message,
      data: {
        index: task?.index ?? null,
        diagnosis: cause === null ? null : { cause, hint: task?.diagnosisHint ?? null },
      },
      at: e.at,
    });
  }

  private checkDone(): void {
    this.doneTimer = null;
    const ids = [...this.doneChecks];
    this.doneChecks.clear();
    for (const id of ids) {
      if (this.announcedDone.has(id)) continue;
      const sub = this.o.lookups.submission(id);
      if (!sub || sub.states.length === 0 || !sub.states.every((s) => s === 'done')) continue;
      this.announcedDone.add(id);
      this.o.offer({
        kind: 'done',
        level: 'info',
        submissionId: id,
        message: `submission #${id}${sub.name ? ` (${sub.name})` : ''}: all ${sub.states.length} task(s) done`,
        data: { name: sub.name, tasks: sub.states.length },
        at: this.o.clock.now(),
      });
    }
  }
}
