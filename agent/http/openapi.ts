// The OpenAPI document, generated from the routes' zod schemas and served (behind the token) at /openapi.json.
// Client generators (openapi-typescript, openapi-generator) name methods after operationId and group them by
// tag: routes declare both; a route that forgets gets names derived from its method and path here, and every
// response a description, which OpenAPI requires.
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { OpenAPIV3_1 } from 'openapi-types';

const TAGS: OpenAPIV3_1.TagObject[] = [
  { name: 'agent', description: 'The agent itself: health and metrics' },
  { name: 'submissions', description: 'Tracked submissions, their tasks and attempts' },
  { name: 'commands', description: 'Submit, adopt, hold, release, resubmit' },
  { name: 'events', description: 'What the agent decided and why' },
  { name: 'tokens', description: 'Planetary Computer SAS tokens' },
  { name: 'shards', description: 'Shard folders and their progress' },
  { name: 'logs', description: 'Task logs' },
];

const RESPONSE_TEXT: Record<string, string> = {
  '200': 'Success',
  '201': 'Created',
  '204': 'Done; no body',
  '4XX':
    'Refused: invalid input (400), a missing or wrong token (401), not found or not enabled (404), a conflict ' +
    '(409). Body: {code, message, details?}',
  '5XX': 'The agent or the scheduler failed. Body: {code, message, details?}',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** "get" + "/jobs/{jobId}" -> "getJobsByJobId": stable, unique per route. */
function derivedOperationId(method: string, url: string): string {
  const words = url
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith('{') ? `by-${part.slice(1, -1)}` : part))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** Fills what generators need and fastify leaves out: operationId, tags, response descriptions. */
export function completeDocument(doc: OpenAPIV3_1.Document): OpenAPIV3_1.Document {
  for (const [url, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      op.operationId ??= derivedOperationId(method, url);
      if (!op.tags?.length) op.tags = [url.split('/')[1] || 'agent'];
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const r = response as OpenAPIV3_1.ResponseObject;
        if (!r.description || r.description === 'Default Response') {
          r.description = RESPONSE_TEXT[status] ?? `HTTP ${status}`;
        }
      }
    }
  }
  // A tag derived above for a route that forgot its own still gets declared, as generators expect.
  const declared = new Set((doc.tags ??= []).map((t) => t.name));
  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of METHODS) {
      for (const tag of item?.[method]?.tags ?? []) {
        if (!declared.has(tag)) doc.tags.push({ name: tag, description: `Routes under /${tag}` });
        declared.add(tag);
      }
    }
  }
  return doc;
}

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
      tags: TAGS,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) =>
      completeDocument((documentObject as { openapiObject: OpenAPIV3_1.Document }).openapiObject),
  });
}

export function openApiRoute(app: FastifyInstance): void {
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
