// Builds what follows running work: the tracker (the scheduler's view of live attempts), the log watch and
// its bridge to the task history, and the shard watch. They call one another only through callbacks, which
// run after start(), so they can be built here in any order.
import type { Diagnoser } from '../diagnose/diagnose.js';
import type { AttemptRow } from '../db/repos/index.js';
import { LogBridge } from '../logs/bridge.js';
import { LogWatch } from '../logs/log-watch.js';
import type { CountingScheduler } from '../metrics.js';
import { ShardStore } from '../shards/store.js';
import { ShardWatch } from '../shards/shard-watch.js';
import { Tracker } from '../tracker/tracker.js';
import type { Core } from './core.js';

export interface TrackingParts {
  scheduler: CountingScheduler;
  diagnoser: Diagnoser;
  /** Attempts the tracker saw end: the resume engine decides them (built after this). */
  onEnded(attempts: AttemptRow[]): Promise<void>;
}

export function buildTracking({ config, clock, repos, life, log, state }: Core, p: TrackingParts) {
  const logWatch: LogWatch = new LogWatch({
    clock,
    logger: log('logs'),
    diagnoser: p.diagnoser,
    pollSeconds: config.watch.logPollSeconds,
    mode: config.watch.mode,
    onLogEvent: (e) => bridge.onLogEvent(e),
    // Slurm creates a task's log as it starts: look at the scheduler soon rather than at the next cycle.
    onLogCreated: () => tracker.nudge(),
  });
  const shardWatch = new ShardWatch({
    clock,
    logger: log('shards'),
    store: new ShardStore(() => state.db),
    dirs: config.watch.shardDirs,
    pollSeconds: config.watch.pollSeconds,
    rateWindowMinutes: config.watch.rateWindowMinutes,
    purgeDays: config.watch.purgeDays,
  });
  const tracker: Tracker = new Tracker({
    repos,
    life,
    scheduler: p.scheduler,
    clock,
    logger: log('tracker'),
    pollMs: config.slurm.pollSeconds * 1000,
    hooks: {
      onEnded: (attempts) => p.onEnded(attempts),
      onLogsKnown: (attempts) => bridge.track(attempts),
    },
  });
  const bridge = new LogBridge({
    repos,
    life,
    logWatch,
    logger: log('logs'),
    checkpointRegex: config.resume.checkpointRegex,
    hurry: () => tracker.hurry(),
  });
  return { logWatch, shardWatch, tracker, bridge };
}

export type Tracking = ReturnType<typeof buildTracking>;
