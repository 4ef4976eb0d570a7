// The instance type route files register on: fastify with zod schemas as the type provider.
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ErrorBodySchema } from '../../api/schemas.js';

export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Error replies every route may give, so the OpenAPI document shows their shape. */
export const ERROR_REPLIES = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema } as const;
