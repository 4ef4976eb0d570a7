// Follows the logs of tracked tasks: polls them (one stat per file per cycle when idle) on Lustre/NFS,
// or reacts to chokidar events on local disks with a slow safety poll, and tells the agent what they say.
import path from 'node:path';
import { AgentError, loggable } from '../errors.js';
import { chooseMode, detectFsKind, type WatchMode } from '../fs/fs-kind.js';
import { FileEvents } from './change-events.js';
import { FixedRate } from '../fs/fixed-rate.js';
import { WatchedFile, type TrackedKey } from './followed-file.js';
import { LogLookout } from './lookout.js';
import { LogSummary } from './summary.js';
import type { LogKeyStatus, LogWatchOptions, TrackOptions } from './log-watch-types.js';
import { mapLimit } from '../fs/map-limit.js';
import {
  DEFAULT_CHECKPOINT_REGEX,
  DEFAULT_PROGRESS_REGEX,
  statelessRegex,
  type LineEvent,
  type LineMatchers,
} from './line-meaning.js';
import { tailFiles } from './tail-text.js';

export type { LogEvent, LogKeyStatus, LogWatchOptions, TrackOptions } from './log-watch-types.js';

/** Delay between a change event and the read it triggers: a burst of writes becomes one read. */
const EVENT_DELAY_MS = 500;
const READ_CHUNK = 1024 * 1024;

export class LogWatch {
  private readonly o: Required<Omit<LogWatchOptions, 'safetyPollSeconds' | 'onLogCreated'>> & {
    safetyMs: number;
    onLogCreated?: ((key: string) => void) | undefined;
  };
  private readonly keys = new Map<string, TrackedKey>();
  private readonly kindByDir = new Map<string, Promise<WatchMode>>();
  private readonly events: FileEvents;
  private readonly lookout = new LogLookout<TrackOptions>();
  private readonly loop: FixedRate;

  constructor(opts: LogWatchOptions) {
    this.o = {
      maxBytesPerCycle: 8 * 1024 * 1024,
      maxLineBytes: 64 * 1024,
      retainKeys: 1000,
      ...opts,
      safetyMs: (opts.safetyPollSeconds ?? Math.max(opts.pollSeconds * 5, 300)) * 1000,
    };
    this.events = new FileEvents((file) => this.onFsEvent(file), opts.logger);
    this.loop = new FixedRate(
      opts.clock,
      opts.pollSeconds * 1000,
      () => this.pollOnce(),
      (err) => this.o.logger.error({ err: loggable(err) }, 'log watch cycle failed'),
    );
  }

  /** Starts following `paths` for `key` (a task attempt); tracking a key again adds paths and updates markers. */
  track(key: string, paths: readonly string[], opts: TrackOptions = {}): void {
    this.lookout.cancel(key);
    const matchers: LineMatchers = {
      checkpoint: statelessRegex(opts.checkpointRegex ?? DEFAULT_CHECKPOINT_REGEX),
      progress: statelessRegex(DEFAULT_PROGRESS_REGEX),
      diagnoser: this.o.diagnoser,
    };
    let state: TrackedKey | undefined = this.keys.get(key);
    if (state) {
      state.summary.setMatchers(matchers);
      state.tracking = true;
    } else {
      state = { key, files: [], summary: new LogSummary(matchers), tracking: true, lastGrowthAt: null };
    }
    // Re-insert so the Map's order is least-recently-tracked first, for retention.
    this.keys.delete(key);
    this.keys.set(key, state);
    for (const p of paths) {
      const abs = path.resolve(p);
      if (state.files.some((f) => f.path === abs)) continue;
      const file = new WatchedFile(abs, {
        maxLineBytes: this.o.maxLineBytes,
        maxReadBytes: Math.min(READ_CHUNK, this.o.maxBytesPerCycle),
        startAt: opts.startAt,
      });
      state.files.push(file);
      if (this.loop.active) void this.readFile(state, file);
    }
  }

  /**
   * Starts following `paths` for `key` once one of them exists: for a task that has not started, whose log
   * Slurm creates as it starts. Until then it costs one stat per folder per cycle, not one per file.
   */
  expect(key: string, paths: readonly string[], opts: TrackOptions = {}): void {
    if (this.keys.get(key)?.tracking) return this.track(key, paths, opts);
    this.lookout.expect(
      key,
      paths.map((p) => path.resolve(p)),
      opts,
    );
  }

  /** Stops reading the key's files; the key stays available to tail() and status() (the newest retainKeys). */
  untrack(key: string): void {
    this.lookout.cancel(key);
    const state = this.keys.get(key);
    if (!state || !state.tracking) return;
    state.tracking = false;
    for (const f of state.files) {
      f.cancelEvent();
      if (f.mode === 'events' && !this.watchedByOthers(f.path, state)) this.events.remove(f.path);
    }
    const retained = [...this.keys.values()].filter((k) => !k.tracking);
    for (const old of retained.slice(0, Math.max(0, retained.length - this.o.retainKeys)))
      this.keys.delete(old.key);
  }

  /** Forgets a key entirely (tail() then refuses it). */
  forget(key: string): void {
    this.untrack(key);
    this.keys.delete(key);
  }

  async start(): Promise<void> {
    this.loop.start();
  }

  async stop(): Promise<void> {
    const stopped = this.loop.stop();
    for (const k of this.keys.values()) for (const f of k.files) f.cancelEvent();
    await stopped;
    await Promise.all([...this.keys.values()].flatMap((k) => k.files.map((f) => f.idle())));
    await this.events.close();
  }

  /** One polling cycle: every polled file, and event-driven files whose safety poll is due. */
  async pollOnce(): Promise<void> {
    for (const { key, paths, value } of await this.lookout.poll()) {
      this.o.logger.debug({ key }, 'log created: following it');
      this.track(key, paths, value);
      this.o.onLogCreated?.(key);
    }
    const now = this.o.clock.now();
    const due: [TrackedKey, WatchedFile][] = [];
    for (const k of this.keys.values()) {
      if (!k.tracking) continue;
      for (const f of k.files) {
        if (f.mode === null) f.mode = await this.modeFor(f.path);
        // A log Slurm has not created yet (the task is still pending) is looked for every cycle: an event
        // watch on a path that does not exist may never fire, and the first lines matter most.
        if (f.mode === 'poll' || f.missing || now - f.lastReadAt >= this.o.safetyMs) due.push([k, f]);
      }
    }
    await mapLimit(due, 8, ([k, f]) => this.readFile(k, f));
  }

  /**
   * Reads the key's files to their end now, including a last line without a newline: call it when the
   * scheduler says the task ended, before deciding what to do with it. Returns the key's status.
   */
  async flush(key: string): Promise<LogKeyStatus> {
    const state = this.keys.get(key);
    if (!state) throw notTracked(key);
    for (const f of state.files) {
      await this.readFile(state, f, true);
      const last = f.tailer.takePartial();
      if (last !== null) this.deliver(state, f, state.summary.ingest([last]));
    }
    return this.describe(state);
  }

  status(key: string): LogKeyStatus | null {
    const state = this.keys.get(key);
    return state ? this.describe(state) : null;
  }

  /** Keys whose logs are awaited (expect()) and not yet read. */
  expectedCount(): number {
    return this.lookout.size;
  }

  /** Keys currently being read. */
  trackedKeys(): string[] {
    return [...this.keys.values()].filter((k) => k.tracking).map((k) => k.key);
  }

  /** The end of a tracked (or recently tracked) key's logs, for `emb-client logs`; nothing else is served. */
  async tail(key: string, maxBytes: number): Promise<string> {
    const state = this.keys.get(key);
    if (!state) throw notTracked(key);
    return tailFiles(
      state.files.map((f) => f.path),
      maxBytes,
    );
  }

  private describe(k: TrackedKey): LogKeyStatus {
    return {
      key: k.key,
      paths: k.files.map((f) => f.path),
      tracking: k.tracking,
      lastGrowthAt: k.lastGrowthAt,
      missing: k.files.filter((f) => f.missing).map((f) => f.path),
      offsets: Object.fromEntries(k.files.map((f) => [f.path, f.tailer.offset])),
      ...k.summary.facts,
    };
  }

  private async modeFor(file: string): Promise<WatchMode> {
    if (this.o.mode !== 'auto') return this.o.mode;
    const dir = path.dirname(file);
    let mode = this.kindByDir.get(dir);
    if (!mode) {
      mode = detectFsKind(dir).then((kind) => chooseMode(kind, 'auto'));
      this.kindByDir.set(dir, mode);
    }
    return mode;
  }

  /** Reads one file, serialised per file; `toEnd` ignores the per-cycle byte bound. */
  private readFile(k: TrackedKey, f: WatchedFile, toEnd = false): Promise<void> {
    return f.serialise(() => this.readLoop(k, f, toEnd), !toEnd);
  }

  private async readLoop(k: TrackedKey, f: WatchedFile, toEnd: boolean): Promise<void> {
    if (f.mode === null) f.mode = await this.modeFor(f.path);
    if (f.mode === 'events' && this.loop.active && k.tracking) this.events.add(f.path);
    f.lastReadAt = this.o.clock.now();
    let budget = toEnd ? Number.POSITIVE_INFINITY : this.o.maxBytesPerCycle;
    try {
      for (;;) {
        const r = await f.tailer.read();
        f.missing = r.missing;
        if (r.rotated || r.truncated) {
          this.o.logger.info(
            { key: k.key, path: f.path, rotated: r.rotated },
            'log restarted from its beginning',
          );
        }
        const facts = k.summary.facts;
        facts.bytesRead += r.bytesRead;
        facts.cutLines += r.cutLines;
        if (r.bytesRead > 0) k.lastGrowthAt = this.o.clock.now();
        if (r.lines.length) this.deliver(k, f, k.summary.ingest(r.lines));
        budget -= r.bytesRead;
        if (!r.more || budget <= 0) break;
      }
    } catch (err) {
      this.o.logger.warn({ key: k.key, path: f.path, err: loggable(err) }, 'cannot read log');
    }
  }

  private deliver(k: TrackedKey, f: WatchedFile, events: LineEvent[]): void {
    const at = this.o.clock.now();
    for (const e of events) {
      try {
        this.o.onLogEvent({ ...e, key: k.key, path: f.path, at });
      } catch (err) {
        this.o.logger.error({ key: k.key, kind: e.kind, err: loggable(err) }, 'log event handler failed');
      }
    }
  }

  private onFsEvent(changed: string): void {
    for (const k of this.keys.values()) {
      if (!k.tracking) continue;
      for (const f of k.files) {
        if (f.path !== changed || f.eventTimer) continue;
        f.eventTimer = this.o.clock.setTimer(EVENT_DELAY_MS, () => {
          f.eventTimer = null;
          void this.readFile(k, f);
        });
      }
    }
  }

  private watchedByOthers(file: string, except: TrackedKey): boolean {
    for (const k of this.keys.values()) {
      if (k !== except && k.tracking && k.files.some((f) => f.path === file)) return true;
    }
    return false;
  }
}

function notTracked(key: string): AgentError {
  return new AgentError('AGENT_ERR_NOT_TRACKED', `no tracked log for "${key}"`, { details: { key } });
}
