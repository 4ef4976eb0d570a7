// Bearer-token check for every request: any user on a login node can reach a loopback port.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CHALLENGE_PATH, listenerProof, NONCE_RE } from '../../shared/listener-proof.js';
import type { WebAccess } from '../web/access.js';
import { securityHeaders } from '../web/headers.js';

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

function isChallenge(method: string, url: string): boolean {
  return method === 'POST' && url === CHALLENGE_PATH;
}

/**
 * Refuses any request, known route or not, that lacks the token; runs before the body is read. The one
 * exception is POST /auth/challenge, where the agent proves it knows the token (an HMAC of the caller's
 * nonce) before a client over TCP sends it: whoever else holds the port cannot answer.
 */
export function registerAuth(app: FastifyInstance, token: string, web?: WebAccess): void {
  const ok = bearerChecker(token);
  if (web) {
    // Here, at the root, so refusals and unknown routes carry the page's headers too.
    app.addHook('onSend', async (_req, reply, payload) => {
      securityHeaders(reply);
      return payload;
    });
  }
  app.addHook('onRequest', async (req, reply) => {
    if (isChallenge(req.method, req.url)) return;
    if (ok(req.headers.authorization)) return;
    // The web page's way in (agent/web/guard.ts): a session cookie, only where no token was sent.
    if (web && req.headers.authorization === undefined) {
      if (web.guard.isPublic(req.method, req.url)) return;
      const verdict = web.guard.check(req);
      if (verdict?.ok) return;
      if (verdict) {
        const code = verdict.status === 401 ? 'AGENT_ERR_UNAUTHORIZED' : 'AGENT_ERR_FORBIDDEN';
        return reply.code(verdict.status).send({ code, message: verdict.message });
      }
    }
    const message =
      req.headers.authorization === undefined
        ? 'this API needs "Authorization: Bearer <token>"; the token is in the agent\'s api-token file'
        : 'the bearer token was refused';
    return reply.code(401).send({ code: 'AGENT_ERR_UNAUTHORIZED', message });
  });

  app.post(CHALLENGE_PATH, { bodyLimit: 1024, schema: { hide: true } }, async (req, reply) => {
    const nonce = (req.body as { nonce?: unknown } | null)?.nonce;
    if (typeof nonce !== 'string' || !NONCE_RE.test(nonce)) {
      return reply.code(400).send({
        code: 'AGENT_ERR_BAD_REQUEST',
        message: 'body.nonce: expected 32 to 128 lower-case hex digits',
      });
    }
    return { proof: listenerProof(token, nonce) };
  });
}
