// Builds what tells the outside how the agent is doing: /health, the Prometheus metrics (and their textfile
// when configured) and the notifications (mail, webhooks) heard from the task history.
import type { Registry } from 'prom-client';
import type { Health } from '../api/schemas.js';
import { HealthMonitor } from '../health.js';
import { AgentMetrics, type CountingScheduler } from '../metrics.js';
import { MetricsTextfile } from '../metrics/textfile.js';
import { Notifications, type UncleanStop } from '../notify/index.js';
import { ShardStore } from '../shards/store.js';
import type { TokenRefresher } from '../tokens/index.js';
import type { Core } from './core.js';
import type { Tracking } from './tracking.js';

export interface ObserveParts {
  version: string;
  registry: Registry;
  scheduler: CountingScheduler;
  tracking: Tracking;
  tokens: TokenRefresher;
  /** Who holds the lease and who stands by, for /health. */
  leaseInfo?: (() => Health['lease']) | undefined;
  /** Who held the lease before and stopped without releasing it (a crash): notified once started. */
  uncleanStop: UncleanStop | null;
}

export function buildObserve(core: Core, p: ObserveParts) {
  const { config, clock, repos, life, log, state } = core;
  const { tracker, shardWatch, logWatch } = p.tracking;
  const notifications = new Notifications({
    config,
    clock,
    logger: log('notify'),
    repos,
    onRecorded: (listener) => life.onRecorded(listener),
    shards: shardWatch,
    shardSamples: new ShardStore(() => state.db),
    uncleanStop: p.uncleanStop,
  });
  const health = new HealthMonitor({
    config,
    version: p.version,
    clock,
    scheduler: p.scheduler,
    tracker,
    database: state,
    probeWrite: () => repos.submitIntents.probeWrite(clock.now()),
    tokens: p.tokens,
    notify: notifications.notifier,
    ...(p.leaseInfo ? { lease: p.leaseInfo } : {}),
  });
  const metrics = new AgentMetrics({
    registry: p.registry,
    clock,
    version: p.version,
    repos,
    scheduler: p.scheduler,
    tokens: p.tokens,
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
  return { health, metrics, textfile, notifications };
}

export type Observe = ReturnType<typeof buildObserve>;
