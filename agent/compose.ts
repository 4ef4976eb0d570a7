// The composition root: builds every service once, wires them together, starts them in order and stops
// them in reverse. Constructors do no I/O; this is the one place that decides what talks to what.
import type { FastifyInstance } from 'fastify';
import type { Clock } from './clock.js';
import type { Config } from './config/load.js';
import { ensureApiToken } from './auth/api-token.js';
import { adoptJob } from './commands/adopt.js';
import { submitRecipe } from './commands/submit.js';
import { openDatabase } from './db/open.js';
import { createRepos } from './db/repos/index.js';
import { Diagnoser, type Diagnosis } from './diagnose/diagnose.js';
import { diagnoseEnd, type AttemptEnd } from './diagnose/end-state.js';
import { buildApp } from './http/app.js';
import type { AppDeps } from './http/deps.js';
import type { Logger } from './log.js';
import { ResumeEngine } from './resume/engine.js';
import { IntentExecutor } from './resume/executor.js';
import { Steering } from './resume/steering.js';
import { SlurmAdapter } from './slurm/adapter.js';
import { TokenRefresher } from './tokens/index.js';
import { Tracker } from './tracker/tracker.js';
import { RepoReadModel } from './views/read-model.js';
import { detectFsKind } from './watch/fs-kind.js';
import { HealthMonitor } from './health.js';

export interface Agent {
  app: FastifyInstance;
  start(): Promise<void>;
  stop(): Promise<void>;
  healthy(): boolean;
}

export interface ComposeOptions {
  config: Config;
  logger: Logger;
  clock: Clock;
  version: string;
}

export async function composeAgent({ config, logger, clock, version }: ComposeOptions): Promise<Agent> {
  const stateFs = await detectFsKind(config.stateDir);
  const journal = stateFs === 'local' ? 'wal' : 'exclusive-rollback';
  const { db, applied } = openDatabase(config.dbPath, { journal });
  if (applied.length) logger.info({ applied, db: config.dbPath }, 'database migrated');
  const repos = createRepos(db);
  const apiToken = ensureApiToken(config.api.tokenFile, logger);

  const scheduler = new SlurmAdapter({
    timeoutMs: config.slurm.commandTimeoutSeconds * 1000,
    binDir: config.slurm.binDir,
    user: config.env.user,
    logger: logger.child({ part: 'slurm' }),
  });
  const diagnoser = new Diagnoser(config.diagnose.rules);
  const tracker: Tracker = new Tracker({
    repos,
    scheduler,
    clock,
    logger: logger.child({ part: 'tracker' }),
    pollMs: config.slurm.pollSeconds * 1000,
    hooks: {
      onEnded: (attempts) => engine.onEnded(attempts),
      onLogsKnown: () => undefined,
    },
  });
  const executor = new IntentExecutor({
    repos,
    scheduler,
    clock,
    logger: logger.child({ part: 'resume' }),
    onSubmitted: () => tracker.poke(),
  });
  const engine: ResumeEngine = new ResumeEngine({
    repos,
    clock,
    logger: logger.child({ part: 'resume' }),
    executor,
    settings: {
      maxAttempts: config.resume.maxAttempts,
      budgetPerHour: config.resume.budgetPerHour,
      batchWindowMs: config.resume.batchWindowSeconds * 1000,
    },
    defaultCheckpointRegex: config.resume.checkpointRegex,
    diagnose: (lines) => mostSevere(diagnoser, lines),
    diagnoseEnd: (end, fromLog) => diagnoseEnd(end as AttemptEnd, fromLog, diagnoser),
  });
  const steering = new Steering({ repos, clock, engine, executor });
  const tokens = new TokenRefresher({
    config: config.tokens,
    clock,
    logger: logger.child({ part: 'tokens' }),
    onEvent: (e) => repos.events.add({ at: clock.now(), ...e }),
  });
  const health = new HealthMonitor({ config, version, clock, scheduler, tracker, db, journal });
  const commandDeps = {
    repos,
    scheduler,
    clock,
    logger,
    jobDefaults: config.resume.jobDefaults,
    onSubmitted: () => tracker.poke(),
  };
  const deps: AppDeps = {
    apiToken,
    logger: logger.child({ part: 'http' }),
    version,
    health: () => health.snapshot(),
    read: new RepoReadModel(repos),
    commands: {
      submit: (body) => submitRecipe(commandDeps, body),
      adopt: (body) => adoptJob(commandDeps, body),
      hold: (target) => steering.hold(target),
      release: (target) => steering.release(target),
      resubmit: (target) => steering.resubmit(target),
    },
    tokens,
  };
  const app = buildApp(deps);

  let engineStart: Promise<void> = Promise.resolve();
  return {
    app,
    healthy: () => health.snapshot().ok,
    async start() {
      health.start();
      // Reconciling open intents may wait on a slow scheduler: it must not hold up READY.
      engineStart = engine
        .start()
        .catch((err: unknown) => logger.error({ err }, 'resume engine start failed'));
      tracker.start();
      await tokens.start();
    },
    async stop() {
      await app.close();
      await tokens.stop();
      await tracker.stop();
      await engineStart;
      await engine.stop();
      health.stop();
      db.close();
    },
  };
}

/** The most telling diagnosis among a log's lines (a CUDA OOM outranks a transient HTTP 502). */
function mostSevere(diagnoser: Diagnoser, lines: string[]): Diagnosis | null {
  let best: Diagnosis | null = null;
  for (const line of lines) {
    const d = diagnoser.diagnoseLine(line);
    if (d && diagnoser.prefer(best, d)) best = d;
  }
  return best;
}
