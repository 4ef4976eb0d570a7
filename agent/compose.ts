// The composition root: builds every service once, wires them together, starts them in order and stops
// them in reverse. Building does no I/O (no file is touched until start(): the database opens first, then
// the API token is read and the HTTP app built); this is the one place that decides what talks to what.
import type { FastifyInstance } from 'fastify';
import type { Health } from './api/schemas.js';
import type { Clock } from './clock.js';
import type { Config } from './config/load.js';
import { ensureApiToken } from './auth/api-token.js';
import { adoptJob } from './commands/adopt.js';
import { submitRecipe } from './commands/submit.js';
import { refuseForeignEnv } from './commands/agent-env.js';
import { cancelTarget } from './commands/cancel.js';
import { archiveTarget } from './commands/archive.js';
import { SubmitSettler } from './commands/submit-intents.js';
import { WaitGate } from './pipeline/gate.js';
import { Pipelines } from './pipeline/apply.js';
import { Diagnoser } from './diagnose/diagnose.js';
import { diagnoseEnd, type AttemptEnd } from './diagnose/end-state.js';
import { withConfiguredPaths } from './diagnose/hint-paths.js';
import { BUILTIN_RULES } from './diagnose/rules.js';
import { HealthMonitor } from './health.js';
import { buildApp } from './http/app.js';
import type { Logger } from './log.js';
import { Registry } from 'prom-client';
import { AgentMetrics, CountingScheduler } from './metrics.js';
import { MetricsTextfile } from './metrics/textfile.js';
import { ResumeEngine } from './resume/engine.js';
import { IntentExecutor } from './resume/executor.js';
import { attemptLogFacts } from './resume/log-facts.js';
import { Steering } from './resume/steering.js';
import { SlurmAdapter } from './slurm/adapter.js';
import { createPreflight } from './preflight/index.js';
import { GetentUserNames } from './slurm/user-names.js';
import { TokenRefresher } from './tokens/index.js';
import { LogBridge } from './logs/bridge.js';
import { Tracker } from './tracker/tracker.js';
import { TaskLife } from './tasks/life.js';
import { noted } from './tasks/agent-events.js';
import { RepoReadModel } from './views/read-model.js';
import { Freshness } from './tracker/freshness.js';
import { LogWatch } from './logs/log-watch.js';
import { ShardStore } from './shards/store.js';
import { ShardWatch } from './shards/shard-watch.js';
import { StateDatabase } from './service/state-database.js';
import { AgentError, loggable } from './errors.js';
import { Notifications, type UncleanStop } from './notify/index.js';

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
  // Reaches the tables only once state.start() has opened the database.
  const repos = state.repos;
  const log = (part: string) => logger.child({ part });
  // The one writer of tasks, attempts, intents and events; listeners subscribe with life.onRecorded.
  const life = new TaskLife({ repos, clock, logger: log('tasks') });

  // The agent's own metrics registry (not prom-client's global one): one per agent, so tests can run many.
  const registry = new Registry();
  // Every sbatch passes the site's partition rules first (agent/preflight/): submits, resubmissions, pipelines.
  const preflight = createPreflight({
    inner: new SlurmAdapter({
      timeoutMs: config.slurm.commandTimeoutSeconds * 1000,
      binDir: config.slurm.binDir,
      user: config.env.user,
      logger: log('slurm'),
    }),
    config: config.preflight,
    repos,
    shardsSince: (index, since) => shardWatch.shardsSince(index, since),
    logger: log('preflight'),
    record: (e) => noted(life, e),
  });
  const scheduler = new CountingScheduler(preflight.scheduler, registry, clock, fence);
  const userNames = new GetentUserNames({
    timeoutMs: config.slurm.commandTimeoutSeconds * 1000,
    logger: log('users'),
  });
  const diagnoser = new Diagnoser(config.diagnose.rules, withConfiguredPaths(BUILTIN_RULES, config));
  const logWatch: LogWatch = new LogWatch({
    clock,
    logger: log('logs'),
    diagnoser,
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
    scheduler,
    clock,
    logger: log('tracker'),
    pollMs: config.slurm.pollSeconds * 1000,
    hooks: {
      onEnded: (attempts) => engine.onEnded(attempts),
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
  const executor = new IntentExecutor({
    repos,
    life,
    diagnoser,
    scheduler,
    clock,
    logger: log('resume'),
    onSubmitted: () => tracker.poke(),
    onOutcome: (outcome) => metrics.resubmission(outcome),
  });
  const engine: ResumeEngine = new ResumeEngine({
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
      attemptLogFacts(logWatch, diagnoser, attempt, bridge.checkpointRegexFor(sub.id)),
    shardsSince: (index, sinceMs) => shardWatch.shardsSince(index, sinceMs),
    diagnoseEnd: (end, fromLog) => diagnoseEnd(end as AttemptEnd, fromLog, diagnoser),
    onDecided: (attempt) => logWatch.untrack(attempt.jobId),
    nameOfUid: (uid) => userNames.nameOf(uid),
  });
  const steering = new Steering({ repos, life, engine, executor });
  const tokens = new TokenRefresher({
    config: config.tokens,
    clock,
    logger: log('tokens'),
    onEvent: (e) => noted(life, e),
    onRefreshFailed: (collection) => metrics.tokenRefreshFailed(collection),
  });
  const health = new HealthMonitor({
    config,
    version,
    clock,
    scheduler,
    tracker,
    database: state,
    probeWrite: () => repos.submitIntents.probeWrite(clock.now()),
    tokens,
    ...(leaseInfo ? { lease: leaseInfo } : {}),
  });
  // An sbatch a killed agent started may still land a while after: the window allows for Slurm's own retries.
  const settler = new SubmitSettler({
    repos,
    life,
    scheduler,
    clock,
    logger: log('submit'),
    windowMs: Math.max(30_000, 4 * config.slurm.commandTimeoutSeconds * 1000),
    onSubmitted: () => tracker.poke(),
  });
  const metrics: AgentMetrics = new AgentMetrics({
    registry,
    clock,
    version,
    repos,
    scheduler,
    tokens,
    shardWatch,
    logWatch,
    tracker,
  });
  const textfile = config.metrics.textfile
    ? new MetricsTextfile({
        file: config.metrics.textfile,
        intervalMs: config.metrics.textfileIntervalSeconds * 1000,
        clock,
        logger: log('metrics'),
        render: () => metrics.renderAgentOnly(),
      })
    : null;
  const notifications = new Notifications({
    config,
    clock,
    logger: log('notify'),
    repos,
    onRecorded: (listener) => life.onRecorded(listener),
    shards: shardWatch,
    uncleanStop: uncleanStop ?? null,
  });
  const commandDeps = {
    repos,
    life,
    scheduler,
    clock,
    logger,
    jobDefaults: config.resume.jobDefaults,
    paths: { workRoot: config.workRoot, user: config.env.user, home: config.env.home },
    onSubmitted: () => tracker.poke(),
    self: {
      host: config.env.hostname,
      uid: config.env.uid,
      user: config.env.user,
      home: config.env.home,
      vars: config.env.vars ?? {},
    },
  };
  // Submissions kept back until their prerequisites are done (submit --after, pipeline files).
  const gate = new WaitGate({
    submit: commandDeps,
    clock,
    logger: log('pipeline'),
    pollMs: config.slurm.pollSeconds * 1000,
    checkFirst: async (body) => {
      if (!config.preflight.enabled || body.preflight?.skip !== undefined) return;
      await preflight.scheduler.check({ ...body, env: body.env ?? {} }, 'deferred');
    },
  });
  const pipelines = new Pipelines({ submit: commandDeps, gate });
  const buildApi = (apiToken: string) =>
    buildApp({
      apiToken,
      logger: log('http'),
      version,
      health: () => health.snapshot(),
      read: new RepoReadModel(repos, new Freshness({ clock, tracker }), life),
      commands: {
        submit: async (body, via = 'unix') => {
          // A foreign environment is refused before anything is written or sent (agent-env.ts).
          refuseForeignEnv(commandDeps.self, body, via);
          return preflight.afterSubmit(
            body,
            body.after?.length ? await gate.submitAfter(body) : await submitRecipe(commandDeps, body),
          );
        },
        adopt: async (body) => {
          const reply = await adoptJob(commandDeps, body);
          // Tasks that had already ended when adopted never pass through the tracker: decide them now.
          await engine.onEnded(repos.attempts.undecided());
          return reply;
        },
        hold: (target) => steering.hold(target),
        release: async (target) => gate.release(target) ?? steering.release(target),
        resubmit: (target, force) => steering.resubmit(target, force),
        cancel: async (target) =>
          gate.dropTarget(target, `${config.env.user} (emb-client cancel)`) ??
          cancelTarget({ ...commandDeps, user: config.env.user }, target),
        archive: async (target) => archiveTarget(commandDeps, target, true),
        unarchive: async (target) => archiveTarget(commandDeps, target, false),
      },
      tokens,
      shards: shardWatch,
      web: { clock, shardSamples: new ShardStore(() => state.db) },
      logs: bridge,
      metrics,
      notify: notifications.notifier,
      pipelines,
    });

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
      await notifications.stop();
      await textfile?.stop();
      await tokens.stop();
      await tracker.stop();
      await engineStart;
      await gate.stop();
      await settler.stop();
      await engine.stop();
      await shardWatch.stop();
      await logWatch.stop();
      health.stop();
      metrics.stop();
      state.stop();
    },
  };
}
