// Headers on every reply of the app (set from agent/http/auth.ts, at the root), and ETags for GET replies so the page's polls of an unchanged state
// cost a 304 rather than a list of 10,000 tasks.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** No inline script or style, nothing from another origin, never inside a frame. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
}

/** The last body and its tag per path: the submission list is the same string while nothing changed. */
const MAX_REMEMBERED = 64;

export function etagHook(): (req: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown> {
  const last = new Map<string, { body: string | Buffer; etag: string }>();
  return async (req, reply, payload) => {
    if (req.method !== 'GET' || reply.statusCode !== 200) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    let etag = reply.getHeader('etag') as string | undefined;
    if (etag === undefined) {
      const path = req.url.split('?')[0] ?? req.url;
      const seen = last.get(path);
      if (
        seen &&
        (seen.body === payload || (Buffer.isBuffer(payload) && payload.equals(seen.body as Buffer)))
      ) {
        etag = seen.etag;
      } else {
        etag = `W/"${createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`;
        if (last.size >= MAX_REMEMBERED) last.delete(last.keys().next().value as string);
        last.set(path, { body: payload, etag });
      }
      reply.header('etag', etag);
    }
    const match = req.headers['if-none-match'];
    // Weak comparison (RFC 9110): W/"x" and "x" name the same body.
    const bare = (tag: string) => tag.trim().replace(/^W\//, '');
    if (match !== undefined && match.split(',').some((m) => bare(m) === bare(etag))) {
      reply.code(304);
      reply.removeHeader('content-length');
      return '';
    }
    return payload;
  };
}
