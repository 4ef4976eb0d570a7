// The HTTP API as a fastify app built from injected services. It never listens: see listen.ts.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { registerAuth } from './auth.js';
import type { AppDeps } from './deps.js';
import { frameworkError, registerErrorHandling } from './errors.js';
import { applyServerLimits, DEFAULT_LIMITS, fastifyLimitOptions } from './limits.js';
import { openApiRoute, registerOpenApi } from './openapi.js';
import { commandRoutes } from './routes/commands.js';
import { optionalRoutes } from './routes/optional.js';
import { notifyRoutes } from './routes/notify.js';
import { pipelineRoutes } from './routes/pipeline.js';
import { readRoutes } from './routes/read.js';
import type { ZodApp } from './routes/types.js';
import { webAccess } from '../web/access.js';
import { webRoutes } from '../web/routes.js';

export function buildApp(deps: AppDeps): FastifyInstance {
  // Typed as the default instance: fastify's generics keep pino's Logger type, which the plain
  // FastifyInstance (FastifyBaseLogger) does not accept although it is a superset of it.
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const app = Fastify({
    ...fastifyLimitOptions(limits),
    loggerInstance: deps.logger,
    // Requests are logged once, on response, below; fastify's own pair of lines per request is too chatty
    // for a client that polls.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: frameworkError,
  }) as unknown as FastifyInstance;
  applyServerLimits(app.server, limits);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const web = webAccess(deps);
  registerAuth(app, deps.apiToken, web);
  registerErrorHandling(app);
  app.addHook('onResponse', async (req, reply) => {
    // Only method, path and status: headers (the token) never reach a log line.
    const line = {
      method: req.method,
      url: req.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode >= 400) req.log.info(line, 'request refused or failed');
    else req.log.debug(line, 'request');
  });
  registerOpenApi(app, deps.version);
  void app.register(async (scope) => {
    // Same instance; the cast only names the zod type provider for the route files' handler types.
    const zodScope = scope.withTypeProvider<ZodTypeProvider>() as unknown as ZodApp;
    readRoutes(zodScope, deps);
    commandRoutes(zodScope, deps);
    optionalRoutes(zodScope, deps);
    notifyRoutes(zodScope, deps.notify);
    pipelineRoutes(zodScope, deps.pipelines);
    if (web) webRoutes(zodScope, deps, web);
    openApiRoute(scope);
  });
  return app;
}
