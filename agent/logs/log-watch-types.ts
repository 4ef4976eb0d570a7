// The public shapes of LogWatch: its options, the events it emits and the status it keeps per key.
import type { Clock } from '../clock.js';
import type { Diagnoser } from '../diagnose/diagnose.js';
import type { Logger } from '../log.js';
import type { ConfiguredMode } from '../fs/fs-kind.js';
import type { LogFacts } from './summary.js';
import type { LineEvent, LogEventKind } from './line-meaning.js';

export interface LogEvent extends LineEvent {
  key: string;
  kind: LogEventKind;
  /** The file the line came from. */
  path: string;
  /** Clock time the agent read the line. */
  at: number;
}

export interface TrackOptions {
  checkpointRegex?: RegExp;
  /**
   * Where reading of the paths added by this call starts (default 0). A byte offset, e.g. where the previous
   * attempt's reading of the same log stopped (`offsets` in its status) when jobs append to one log
   * (--open-mode=append); or 'end'.
   */
  startAt?: number | 'end';
}

export interface LogKeyStatus extends LogFacts {
  key: string;
  paths: string[];
  /** Still being read (false once untracked but kept for `tail`). */
  tracking: boolean;
  /** Clock time bytes last arrived, null before any. */
  lastGrowthAt: number | null;
  /** Tracked paths that do not exist (yet). */
  missing: string[];
  /** Bytes of each file consumed so far. */
  offsets: Record<string, number>;
}

export interface LogWatchOptions {
  clock: Clock;
  logger: Logger;
  diagnoser: Diagnoser;
  onLogEvent: (event: LogEvent) => void;
  /** An awaited log (expect()) was created: its task has started, whatever the scheduler said last. */
  onLogCreated?: (key: string) => void;
  /** watch.pollSeconds */
  pollSeconds: number;
  /** watch.mode */
  mode: ConfiguredMode;
  /** In events mode, files are still read this often in case an event was lost. Default max(5 × poll, 300 s). */
  safetyPollSeconds?: number;
  /** Most bytes read from one file in one cycle; a backlog is read over several cycles. Default 8 MiB. */
  maxBytesPerCycle?: number;
  /** Lines longer than this are cut. Default 64 KiB. */
  maxLineBytes?: number;
  /** How many untracked keys stay available to tail() and status(). Default 1000. */
  retainKeys?: number;
}
