// Builds what decides an ended attempt and sends its resubmission: the intent executor, the resume engine,
// and steering (a person's hold, release or resubmit by hand), which goes through the same two.
import type { Diagnoser } from '../diagnose/diagnose.js';
import { diagnoseEnd, type AttemptEnd } from '../diagnose/end-state.js';
import type { CountingScheduler, ResubmissionOutcome } from '../metrics.js';
import { ResumeEngine } from '../resume/engine.js';
import { IntentExecutor } from '../resume/executor.js';
import { attemptLogFacts } from '../resume/log-facts.js';
import { Steering } from '../resume/steering.js';
import type { GetentUserNames } from '../slurm/user-names.js';
import type { Core } from './core.js';
import type { Tracking } from './tracking.js';

export interface ResumeParts {
  scheduler: CountingScheduler;
  diagnoser: Diagnoser;
  tracking: Tracking;
  userNames: GetentUserNames;
  /** Each resubmission's outcome, for the metrics (built after this). */
  onOutcome(outcome: ResubmissionOutcome): void;
}

export function buildResume({ config, clock, repos, life, log }: Core, p: ResumeParts) {
  const { logWatch, shardWatch, tracker, bridge } = p.tracking;
  const executor = new IntentExecutor({
    repos,
    life,
    diagnoser: p.diagnoser,
    scheduler: p.scheduler,
    clock,
    logger: log('resume'),
    onSubmitted: () => tracker.poke(),
    onOutcome: (outcome) => p.onOutcome(outcome),
  });
  const engine = new ResumeEngine({
    repos,
    life,
    clock,
    logger: log('resume'),
    executor,
    settings: {
      maxAttempts: config.resume.maxAttempts,
      budgetPerHour: config.resume.budgetPerHour,
      batchWindowMs: config.resume.batchWindowSeconds * 1000,
    },
    logFacts: (attempt, sub) =>
      attemptLogFacts(logWatch, p.diagnoser, attempt, bridge.checkpointRegexFor(sub.id)),
    shardsSince: (index, sinceMs) => shardWatch.shardsSince(index, sinceMs),
    diagnoseEnd: (end, fromLog) => diagnoseEnd(end as AttemptEnd, fromLog, p.diagnoser),
    onDecided: (attempt) => logWatch.untrack(attempt.jobId),
    nameOfUid: (uid) => p.userNames.nameOf(uid),
  });
  const steering = new Steering({ repos, life, engine, executor });
  return { executor, engine, steering };
}

export type Resume = ReturnType<typeof buildResume>;
