// Bearer-token check for every request: any user on a login node can reach a loopback port.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * A constant-time comparison against the expected token. Both sides are hashed first so the comparison
 * runs on equal-length buffers and the token's length does not leak through timing either.
 */
export function bearerChecker(expected: string): (authorization: string | undefined) => boolean {
  if (expected.length === 0) throw new Error('the API token is empty');
  const want = digest(expected);
  return (authorization) => {
    const m = authorization === undefined ? null : BEARER.exec(authorization);
    const got = digest(m ? (m[1] as string) : '');
    return timingSafeEqual(got, want) && m !== null;
  };
}

/** Refuses any request, known route or not, that lacks the token; runs before the body is read. */
export function registerAuth(app: FastifyInstance, token: string): void {
  const ok = bearerChecker(token);
  app.addHook('onRequest', async (req, reply) => {
    if (ok(req.headers.authorization)) return;
    const message =
      req.headers.authorization === undefined
        ? 'this API needs "Authorization: Bearer <token>"; the token is in the agent\'s api-token file'
        : 'the bearer token was refused';
    return reply.code(401).send({ code: 'AGENT_ERR_UNAUTHORIZED', message });
  });
}
