// The one writer of a task's life: the tables tasks, attempts, intents, submit_intents and events change only
// through the named operations of agent/tasks/ (submitted, adopted, schedulerFactsSeen, decided, ...), each
// of which takes a TaskLife. Callers keep their decisions; these record them, with their events, atomically.
import type { Statement } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { EventRow, Repos } from '../db/repos/index.js';
import type { NewEvent } from '../db/repos/events.js';
import { AgentError } from '../errors.js';
import type { Logger } from '../log.js';

/** Told of every event once it is committed; what it throws is logged, never thrown into the writer. */
export type RecordedListener = (event: EventRow) => void | Promise<void>;

export interface TaskLifeDeps {
  repos: Repos;
  clock: Clock;
  logger: Logger;
}

export class TaskLife {
  readonly repos: Repos;
  readonly clock: Clock;
  private readonly logger: Logger;
  private readonly listeners = new Set<RecordedListener>();
  /** Events stored by the transaction in progress, told to the listeners once it commits. */
  private unsent: EventRow[] = [];
  private depth = 0;
  /** Writes per submission, and writes that named none: what a reader keys its cached views on. */
  private readonly changes = new Map<number, number>();
  private unnamedChanges = 0;
  private touches = 0;
  private changesStmt: Statement<[], number> | undefined;

  constructor(deps: TaskLifeDeps) {
    this.repos = deps.repos;
    this.clock = deps.clock;
    this.logger = deps.logger;
  }

  /** Listens to what is recorded from now on; returns the way to stop listening. */
  onRecorded(listener: RecordedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs `fn` in one transaction (a savepoint when nested); its events reach the listeners after the
   * outermost one commits, and never when it rolls back.
   */
  atomically<T>(fn: () => T): T {
    const mark = this.unsent.length;
    const touches = this.touches;
    const written = this.depth === 0 ? this.totalChanges() : 0;
    this.depth++;
    let out: T;
    try {
      out = this.repos.db.transaction(fn)();
    } catch (err) {
      this.unsent.length = mark;
      throw err;
    } finally {
      this.depth--;
      // An operation that wrote but named no submission may have changed any: every view counts as changed.
      if (this.depth === 0 && this.touches === touches && this.totalChanges() !== written) {
        this.unnamedChanges++;
      }
    }
    // A caller's own transaction around this one has not committed yet: its end is not ours to see.
    if (this.depth === 0 && !this.repos.db.inTransaction) this.tell(this.unsent.splice(0));
    return out;
  }

  /** Stores an event (inside the operation's transaction); `at` is now. Counts as a change of its submission. */
  record(e: Omit<NewEvent, 'at'>): EventRow {
    if (!this.repos.db.inTransaction) {
      throw new AgentError('AGENT_ERR_INTERNAL', `event ${e.kind} recorded outside a transaction`);
    }
    const row = this.repos.events.add({ at: this.clock.now(), ...e });
    this.unsent.push(row);
    this.touched(row.submissionId);
    return row;
  }

  /**
   * An operation changed a submission's tasks, attempts or events without an event naming it; null when it
   * cannot say which submission (every view then counts as changed). Operations with an event need not call it.
   */
  touched(submissionId: number | null): void {
    this.touches++;
    if (submissionId === null) this.unnamedChanges++;
    else this.changes.set(submissionId, (this.changes.get(submissionId) ?? 0) + 1);
  }

  /** Differs after every write this writer made to the submission (or to one it could not name). */
  changeOf(submissionId: number): string {
    return `${this.unnamedChanges}:${this.changes.get(submissionId) ?? 0}`;
  }

  /** Rows this connection has written so far (prepared on first use: the database opens after building). */
  private totalChanges(): number {
    this.changesStmt ??= this.repos.db.prepare<[], number>('SELECT total_changes()').pluck();
    return this.changesStmt.get() as number;
  }

  private tell(events: EventRow[]): void {
    for (const e of events) {
      for (const listener of this.listeners) {
        try {
          const p = listener(e);
          if (p) p.catch((err: unknown) => this.failed(err, e));
        } catch (err) {
          this.failed(err, e);
        }
      }
    }
  }

  private failed(err: unknown, e: EventRow): void {
    this.logger.error({ err, event: e.id, kind: e.kind }, 'a listener to recorded events failed');
  }
}

/** A row the caller holds an id of is missing: the database changed under the agent, or a bug. */
export function missingRow(what: string, id: number | string): AgentError {
  return new AgentError('AGENT_ERR_INTERNAL', `${what} ${id} is not in the state database`, {
    details: { what, id },
  });
}
