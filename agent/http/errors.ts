// One error path for the API: every failure leaves as JSON {code, message, details?}, secrets scrubbed.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorBody } from '../api/schemas.js';
import { describeError, isAgentError, loggable } from '../errors.js';
import { scrubSecrets } from '../log.js';

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

const CONTEXT_NAMES: Record<string, string> = {
  querystring: 'query',
  params: 'params',
  body: 'body',
  headers: 'headers',
};

/** "body.args: give at least the batch script": each problem named by where it is in the request. */
function describeValidation(context: string, issues: readonly ValidationIssue[]): string[] {
  const root = CONTEXT_NAMES[context] ?? context;
  const out: string[] = [];
  for (const issue of issues) {
    const rel = issue.instancePath.split('/').filter(Boolean).join('.');
    const where = rel ? `${root}.${rel}` : root;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params.keys)) {
      for (const key of issue.params.keys) out.push(`${where}.${String(key)}: unknown field`);
      continue;
    }
    const msg = issue.message ?? issue.keyword;
    out.push(`${where}: ${/expected \w+, received undefined$/.test(msg) ? 'required' : msg}`);
  }
  return out;
}

function body(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  const out: ErrorBody = { code, message: scrubSecrets(message) };
  if (details !== undefined)
    out.details = JSON.parse(scrubSecrets(JSON.stringify(details))) as Record<string, unknown>;
  return out;
}

function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isAgentError(err)) {
    if (err.status >= 500)
      req.log.error({ err: loggable(err) }, `${req.method} ${req.url} failed: ${err.message}`);
    return reply.code(err.status).send(body(err.code, err.message, err.details));
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const problems = describeValidation(err.validationContext ?? 'request', err.validation);
    return reply.code(400).send(body('AGENT_ERR_BAD_REQUEST', problems.join('; '), { problems }));
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  // Fastify's own 4xx (bad JSON, unsupported media type, body too large): the request's fault, said plainly.
  if (status >= 400 && status < 500) {
    const code = status === 404 ? 'AGENT_ERR_NOT_FOUND' : 'AGENT_ERR_BAD_REQUEST';
    const message = status === 415 ? 'body: send JSON, with "Content-Type: application/json"' : err.message;
    return reply.code(status).send(body(code, message));
  }
  req.log.error({ err: loggable(err) }, `${req.method} ${req.url} failed: ${describeError(err)}`);
  return reply
    .code(500)
    .send(body('AGENT_ERR_INTERNAL', `internal error (request ${req.id}); the agent's log has the cause`));
}

/**
 * Fastify's `frameworkErrors`: a URL that cannot be decoded, or a path parameter over the router's length
 * limit, is refused before routing and before the error handler; answer it in the API's own shape too.
 */
export function frameworkError(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const message = tooLong
    ? 'url: a path parameter is too long'
    : err.code === 'FST_ERR_BAD_URL'
      ? 'url: not a valid URL (bad percent-encoding)'
      : `request refused by the router (${err.code})`;
  void reply.code(tooLong ? 414 : 400).send(body('AGENT_ERR_BAD_REQUEST', message));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send(body('AGENT_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`)),
  );
}
