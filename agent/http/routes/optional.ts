// Routes for parts that may be absent (tokens, shards, logs, metrics): 404 with a code when not configured.
import { z } from 'zod';
import { LogsQuerySchema, LogsReplySchema } from '../../api/schemas.js';
import { ShardStatusListSchema } from '../../api/shards.js';
import { TokenStatusListSchema } from '../../api/tokens.js';
import { AgentError } from '../../errors.js';
import { scrubSecrets } from '../../log.js';
import type { AppDeps } from '../deps.js';
import { ERROR_REPLIES, type ZodApp } from './types.js';

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

function absent(what: string): AgentError {
  return new AgentError('AGENT_ERR_NOT_FOUND', `${what} is not enabled in this agent`);
}

export function optionalRoutes(app: ZodApp, deps: AppDeps): void {
  app.get(
    '/tokens',
    {
      schema: {
        operationId: 'listTokens',
        tags: ['tokens'],
        summary: 'Planetary Computer SAS tokens: expiry and refresh state, never the token itself',
        response: { 200: TokenStatusListSchema, ...ERROR_REPLIES },
      },
    },
    () => {
      if (!deps.tokens) throw absent('SAS token refresh (tokens.collections)');
      return deps.tokens.status();
    },
  );

  app.get(
    '/shards',
    {
      schema: {
        operationId: 'listShards',
        tags: ['shards'],
        summary: 'Shard folders: counts, rate and ETA',
        response: { 200: ShardStatusListSchema, ...ERROR_REPLIES },
      },
    },
    () => {
      if (!deps.shards) throw absent('shard watching (watch.shardDirs)');
      return deps.shards.status();
    },
  );

  app.get(
    '/logs',
    {
      schema: {
        operationId: 'tailLog',
        tags: ['logs'],
        summary: "The end of a task's latest log, signatures and tokens scrubbed",
        querystring: LogsQuerySchema,
        response: { 200: LogsReplySchema, ...ERROR_REPLIES },
      },
    },
    async (req) => {
      if (!deps.logs) throw absent('log reading');
      const tail = await deps.logs.tail(req.query.target, req.query.bytes, req.query.attempt);
      // Job logs quote signed URLs (GDAL errors do): never pass a signature on.
      return { ...tail, target: req.query.target, text: scrubSecrets(tail.text) };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        tags: ['agent'],
        summary: 'Prometheus metrics (text exposition format)',
        produces: [PROMETHEUS_TEXT],
        response: {
          200: z.string().describe('The metrics, in the Prometheus text exposition format 0.0.4'),
          ...ERROR_REPLIES,
        },
      },
    },
    async (_req, reply) => {
      if (!deps.metrics) throw absent('the metrics endpoint');
      return reply.type(PROMETHEUS_TEXT).send(await deps.metrics.render());
    },
  );
}
