// The OpenAPI document, generated from the routes' zod schemas and served (behind the token) at /openapi.json.
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** Must be registered before the routes, so its onRoute hook sees each of them. */
export function registerOpenApi(app: FastifyInstance, version: string): void {
  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'emb-agent API',
        version,
        description:
          'Local API of emb-agent. Every route needs "Authorization: Bearer <token>", the token being the ' +
          "content of the agent's <stateDir>/api-token. Errors are JSON {code, message, details?}.",
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
}

export function openApiRoute(app: FastifyInstance): void {
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
