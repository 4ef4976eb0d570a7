// Builds the HTTP app's deps from the services. Returns a builder, not the app: the API token is read by
// start() (building does no I/O), and the app is built with it then.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../http/app.js';
import type { Commands } from '../http/deps.js';
import type { Pipelines } from '../pipeline/apply.js';
import { ShardStore } from '../shards/store.js';
import type { TokenRefresher } from '../tokens/index.js';
import { Freshness } from '../tracker/freshness.js';
import { RepoReadModel } from '../views/read-model.js';
import type { Core } from './core.js';
import type { Observe } from './observe.js';
import type { Tracking } from './tracking.js';

export interface HttpParts {
  version: string;
  tracking: Tracking;
  observe: Observe;
  tokens: TokenRefresher;
  commands: Commands;
  pipelines: Pipelines;
}

export function httpAppBuilder(
  { clock, repos, life, log, state }: Core,
  p: HttpParts,
): (apiToken: string) => FastifyInstance {
  const { tracker, shardWatch, bridge } = p.tracking;
  const { health, metrics, notifications } = p.observe;
  return (apiToken) =>
    buildApp({
      apiToken,
      logger: log('http'),
      version: p.version,
      health: () => health.snapshot(),
      read: new RepoReadModel(repos, new Freshness({ clock, tracker }), life),
      commands: p.commands,
      tokens: p.tokens,
      shards: shardWatch,
      web: { clock, shardSamples: new ShardStore(() => state.db) },
      logs: bridge,
      metrics,
      notify: notifications.notifier,
      pipelines: p.pipelines,
    });
}
