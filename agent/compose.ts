// The composition root: builds every service once, wires them together, starts them in order and stops
// them in reverse. Building does no I/O (no file is touched until start(): the database opens first, then
// the API token is read and the HTTP app built); this is the one place that decides what talks to what.
// Each part is built in agent/compose/ (one file per group of services); the order of start and stop is here.
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { Health } from './api/schemas.js';
import { ensureApiToken } from './auth/api-token.js';
import type { Clock } from './clock.js';
import { buildCommands } from './compose/commands.js';
import type { Core } from './compose/core.js';
import { httpAppBuilder } from './compose/http.js';
import { buildObserve } from './compose/observe.js';
import { buildResume } from './compose/resume.js';
import { buildScheduler } from './compose/scheduler.js';
import { buildTracking } from './compose/tracking.js';
import type { Config } from './config/load.js';
import { Diagnoser } from './diagnose/diagnose.js';
import { withConfiguredPaths } from './diagnose/hint-paths.js';
import { BUILTIN_RULES } from './diagnose/rules.js';
import { AgentError, loggable } from './errors.js';
import type { Logger } from './log.js';
import type { UncleanStop } from './notify/index.js';
import { StateDatabase } from './service/state-database.js';
import { noted } from './tasks/agent-events.js';
import { TaskLife } from './tasks/life.js';
import { TokenRefresher } from './tokens/index.js';

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
  /** Lease.fence: throws once this agent may no longer act; runs before every scheduler command. */
  fence?: () => void;
  /** Who holds the lease and who stands by, for /health. */
  leaseInfo?: () => Health['lease'];
  /** Who held the lease before and stopped without releasing it (a crash): notified once started. */
  uncleanStop?: UncleanStop | null;
}

export function composeAgent({
  config,
  logger,
  clock,
  version,
  fence,
  leaseInfo,
  uncleanStop,
}: ComposeOptions): Agent {
  const state = new StateDatabase({ file: config.dbPath, stateDir: config.stateDir, logger });
  const repos = state.repos;
  const log = (part: string) => logger.child({ part });
  // The one writer of tasks, attempts, intents and events; listeners subscribe with life.onRecorded.
  const life = new TaskLife({ repos, clock, logger: log('tasks') });
  const core: Core = { config, clock, logger, log, state, repos, life };

  // The agent's own metrics registry (not prom-client's global one): one per agent, so tests can run many.
  const registry = new Registry();
  const { preflight, scheduler, userNames } = buildScheduler(core, {
    registry,
    fence,
    shardsSince: (index, since) => tracking.shardWatch.shardsSince(index, since),
  });
  const diagnoser = new Diagnoser(config.diagnose.rules, withConfiguredPaths(BUILTIN_RULES, config));
  const tracking = buildTracking(core, {
    scheduler,
    diagnoser,
    onEnded: (attempts) => resume.engine.onEnded(attempts),
  });
  const resume = buildResume(core, {
    scheduler,
    diagnoser,
    tracking,
    userNames,
    onOutcome: (outcome) => observe.metrics.resubmission(outcome),
  });
  const tokens = new TokenRefresher({
    config: config.tokens,
    clock,
    logger: log('tokens'),
    onEvent: (e) => noted(life, e),
    onRefreshFailed: (collection) => observe.metrics.tokenRefreshFailed(collection),
  });
  const observe = buildObserve(core, {
    version,
    registry,
    scheduler,
    tracking,
    tokens,
    leaseInfo,
    uncleanStop: uncleanStop ?? null,
  });
  const { settler, gate, pipelines, commands } = buildCommands(core, {
    scheduler,
    preflight,
    tracker: tracking.tracker,
    resume,
  });
  const buildApi = httpAppBuilder(core, { version, tracking, observe, tokens, commands, pipelines });

  const { tracker, logWatch, shardWatch } = tracking;
  const { engine } = resume;
  const { health, metrics, textfile, notifications } = observe;
  let app: FastifyInstance | null = null;
  let engineStart: Promise<void> = Promise.resolve();
  return {
    get app(): FastifyInstance {
      if (app === null) throw new AgentError('AGENT_ERR_INTERNAL', 'the HTTP app is built by start()');
      return app;
    },
    // The watchdog asks whether the agent itself is alive (its loop turns, its database answers), not
    // whether Slurm is: a scheduler outage must not make systemd restart the agent over and over.
    healthy: () => state.db.prepare('SELECT 1').pluck().get() === 1,
    async start() {
      await state.start();
      const apiToken = ensureApiToken(config.api.tokenFile, logger);
      notifications.keepSecret(apiToken);
      app = buildApi(apiToken);
      // Before the tracker and the engine, so what they decide on the way up is heard.
      await notifications.start();
      metrics.start();
      health.start();
      await logWatch.start();
      await shardWatch.start();
      // Reconciling open intents may wait on a slow scheduler: it must not hold up READY.
      engineStart = engine
        .start()
        .catch((err: unknown) => logger.error({ err: loggable(err) }, 'resume engine start failed'));
      tracker.start();
      // Submits a killed agent left open: looked up by their tags before the API takes new ones.
      settler.start();
      gate.start();
      await tokens.start();
      await textfile?.start();
    },
    async stop() {
      await app?.close();
      await textfile?.stop();
      await tokens.stop();
      await tracker.stop();
      await engineStart;
      await gate.stop();
      await settler.stop();
      await engine.stop();
      // After all whose events notify (tokens, tracker, gate, engine): the last decisions are still heard.
      await notifications.stop();
      await shardWatch.stop();
      await logWatch.stop();
      health.stop();
      metrics.stop();
      state.stop();
    },
  };
}
