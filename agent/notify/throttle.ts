// Deduplication and rate limit: the first event of a kind for a submission (or folder, or collection) goes
// out at once and opens a window; what comes in that window is held and sent as one digest when it closes,
// which opens the next window. So a storm of 500 failed tasks is two messages, not 500. An event seen
// before (same kind, task, job and text) within the window is dropped as a repeat.
import type { Clock, Timer } from '../clock.js';
import type { NotifyEvent, NotifyMessage } from './types.js';

/** Events a digest lists by name; it counts the rest. */
export const DIGEST_LIST = 10;
/** Repeats remembered at most: the oldest are forgotten first. */
const SEEN_MAX = 5_000;

interface Window {
  timer: Timer;
  held: NotifyEvent[];
  count: number;
}

const LEVEL_RANK = { info: 0, warn: 1, error: 2 } as const;

function scopeOf(e: NotifyEvent): string {
  if (e.submissionId !== null && e.submissionId !== undefined) return `#${e.submissionId}`;
  return e.subject ?? '';
}

function repeatKey(e: NotifyEvent): string {
  return [e.kind, e.submissionId ?? '', e.taskId ?? '', e.jobId ?? '', e.subject ?? '', e.message].join(
    '\u0000',
  );
}

/** The title of a single event's message or of a digest. */
export function titleFor(first: NotifyEvent, count: number, digest: boolean): string {
  const where = scopeOf(first);
  if (!digest) return `${where ? `${where}: ` : ''}${TITLES[first.kind]}`;
  return `${where ? `${where}: ` : ''}${count} more: ${TITLES[first.kind]}`;
}

const TITLES: Record<NotifyEvent['kind'], string> = {
  failed: 'a task failed',
  stalled: 'a task stalled (no progress)',
  exhausted: 'a task ran out of attempts',
  done: 'all tasks done',
  blocked: 'the agent cannot go on without you',
  shards: 'shard folder reached its target',
  token: 'SAS token could not be refreshed',
  crash: 'the agent restarted after an unclean stop',
};

export interface ThrottleOptions {
  clock: Clock;
  windowMs: number;
  /** Where messages the throttle lets out go. */
  emit: (message: NotifyMessage) => void;
}

export class Throttle {
  private readonly windows = new Map<string, Window>();
  private readonly seen = new Map<string, number>();
  private repeats = 0;

  constructor(private readonly o: ThrottleOptions) {}

  /** Repeats dropped so far. */
  get repeatsDropped(): number {
    return this.repeats;
  }

  offer(e: NotifyEvent): void {
    const now = this.o.clock.now();
    if (this.isRepeat(e, now)) return;
    const key = `${e.kind}\u0000${scopeOf(e)}`;
    const open = this.windows.get(key);
    if (open) {
      open.count++;
      if (open.held.length < DIGEST_LIST) open.held.push(e);
      return;
    }
    this.o.emit(single(e));
    this.openWindow(key);
  }

  /**
   * Closes every window and sends what each holds as its digest now (the agent is stopping: a held digest
   * would be lost with the process). Returns how many events those digests carry.
   */
  flush(): number {
    let held = 0;
    for (const w of this.windows.values()) {
      w.timer.cancel();
      if (!w.count) continue;
      held += w.count;
      this.o.emit(digest(w));
    }
    this.windows.clear();
    return held;
  }

  private isRepeat(e: NotifyEvent, now: number): boolean {
    const k = repeatKey(e);
    const last = this.seen.get(k);
    if (last !== undefined && now - last < this.o.windowMs) {
      this.repeats++;
      return true;
    }
    this.seen.delete(k);
    this.seen.set(k, now);
    // A Map iterates in insertion order: the first entries are the oldest.
    for (const [old, at] of this.seen) {
      if (this.seen.size <= SEEN_MAX && now - at < this.o.windowMs) break;
      this.seen.delete(old);
    }
    return false;
  }

  private openWindow(key: string): void {
    const w: Window = {
      held: [],
      count: 0,
      timer: this.o.clock.setTimer(this.o.windowMs, () => {
        this.windows.delete(key);
        if (!w.count) return;
        this.o.emit(digest(w));
        // The digest went out now: the next one waits a whole window again.
        this.openWindow(key);
      }),
    };
    this.windows.set(key, w);
  }
}

function single(e: NotifyEvent): NotifyMessage {
  return {
    kind: e.kind,
    level: e.level,
    title: titleFor(e, 1, false),
    events: [e],
    count: 1,
    digest: false,
    at: e.at,
  };
}

function digest(w: Window): NotifyMessage {
  const first = w.held[0] as NotifyEvent;
  const level = w.held.reduce((l, e) => (LEVEL_RANK[e.level] > LEVEL_RANK[l] ? e.level : l), first.level);
  return {
    kind: first.kind,
    level,
    title: titleFor(first, w.count, true),
    events: w.held,
    count: w.count,
    digest: true,
    at: (w.held.at(-1) as NotifyEvent).at,
  };
}
