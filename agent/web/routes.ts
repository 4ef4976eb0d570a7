// The web page's routes: the page and its files, the one-time login, the session's CSRF token, and the
// shard history its chart draws. The page's data comes from the API's own read routes.
import { z } from 'zod';
import {
  LoginCodeReplySchema,
  SessionReplySchema,
  ShardHistoryQuerySchema,
  ShardHistoryReplySchema,
} from '../api/web.js';
import { AgentError } from '../errors.js';
import type { AppDeps } from '../http/deps.js';
import { ERROR_REPLIES, type ZodApp } from '../http/routes/types.js';
import type { WebAccess } from './access.js';
import { clearedCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookie.js';
import { etagHook } from './headers.js';
import { shardHistory } from './shard-history.js';
import type { FastifyReply } from 'fastify';

const DAY = 86_400_000;
/** Files the page loads by name; HTML only through /ui/ (which chooses the page or the login hint). */
const FILE = /^[a-z0-9-]+\.(js|css|svg)$/;

async function sendAsset(web: WebAccess, reply: FastifyReply, name: string, status = 200) {
  const asset = await web.assets.get(name);
  if (!asset) throw new AgentError('AGENT_ERR_NOT_FOUND', `no page file ${name}`);
  reply.header('etag', asset.etag);
  // The HTML says whether there is a session: never from a cache; the rest is revalidated by its ETag.
  reply.header('cache-control', name.endsWith('.html') ? 'no-store' : 'no-cache');
  return reply.code(status).type(asset.type).send(asset.body);
}

export function webRoutes(app: ZodApp, deps: AppDeps, web: WebAccess): void {
  app.addHook('onSend', etagHook());

  // A browser pointed at the tunnel's bare address lands on the page.
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/ui/', 302));
  app.get('/ui', { schema: { hide: true } }, (_req, reply) => reply.redirect('/ui/', 302));

  app.get('/ui/', { schema: { hide: true } }, async (req, reply) => {
    const live = web.guard.sessionOf(req.headers) !== undefined;
    return sendAsset(web, reply, live ? 'index.html' : 'login.html', live ? 200 : 401);
  });

  app.get(
    '/ui/:file',
    { schema: { hide: true, params: z.object({ file: z.string().max(64) }) } },
    async (req, reply) => {
      if (!FILE.test(req.params.file)) throw new AgentError('AGENT_ERR_NOT_FOUND', 'no such page file');
      return sendAsset(web, reply, req.params.file);
    },
  );

  app.get(
    '/ui/login',
    { schema: { hide: true, querystring: z.object({ code: z.string().max(200).optional() }) } },
    async (req, reply) => {
      const code = req.query.code;
      if (code === undefined || !web.codes.redeem(code)) {
        req.log.info('a login link was refused: unknown, already used or expired');
        return sendAsset(web, reply, 'login.html', 401);
      }
      const s = web.sessions.create();
      reply.header('set-cookie', sessionCookie(s.id, (s.createdAt + 7 * DAY - web.clock.now()) / 1000));
      // 303: the browser fetches the page with GET and the code leaves the address bar.
      return reply.redirect('/ui/', 303);
    },
  );

  app.post(
    '/ui/login-codes',
    {
      schema: {
        operationId: 'createLoginCode',
        tags: ['ui'],
        summary: 'A one-time code (a minute, single use) that a browser trades for a session cookie',
        description:
          'Bearer token only: a browser session cannot make new codes. `emb-client open` prints the URL.',
        response: { 201: LoginCodeReplySchema, ...ERROR_REPLIES },
      },
    },
    async (req, reply) => {
      if (req.headers.authorization === undefined) {
        throw new AgentError('AGENT_ERR_UNAUTHORIZED', 'a login code needs the bearer token');
      }
      const c = web.codes.issue();
      return reply.code(201).send({
        code: c.code,
        path: `/ui/login?code=${c.code}`,
        expiresAt: new Date(c.expiresAt).toISOString(),
      });
    },
  );

  app.get(
    '/ui/session',
    {
      schema: {
        operationId: 'getSession',
        tags: ['ui'],
        summary: "The browser session's CSRF token, which the page sends in X-Emb-Csrf with hold and release",
        response: { 200: SessionReplySchema, ...ERROR_REPLIES },
      },
    },
    (req, reply) => {
      const s = web.guard.sessionOf(req.headers);
      if (!s) throw new AgentError('AGENT_ERR_NOT_FOUND', 'this request has no browser session');
      reply.header('cache-control', 'no-store');
      return { csrf: s.csrf, expiresAt: new Date(s.expiresAt).toISOString() };
    },
  );

  app.post(
    '/ui/logout',
    {
      schema: {
        operationId: 'logout',
        tags: ['ui'],
        summary: "End the browser's session",
        response: { 204: z.null().describe('Done'), ...ERROR_REPLIES },
      },
    },
    async (req, reply) => {
      const id = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (id) web.sessions.end(id);
      reply.header('set-cookie', clearedCookie());
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/shards/history',
    {
      schema: {
        operationId: 'getShardHistory',
        tags: ['shards'],
        summary: "A shard folder's stored count and bytes over a time range, thinned to at most `points`",
        querystring: ShardHistoryQuerySchema,
        response: { 200: ShardHistoryReplySchema, ...ERROR_REPLIES },
      },
    },
    (req) => {
      if (!deps.shards || !web.shardSamples) {
        throw new AgentError(
          'AGENT_ERR_NOT_FOUND',
          'shard watching (watch.shardDirs) is not enabled in this agent',
        );
      }
      const { dir, points } = req.query;
      // Only folders the agent watches: the samples table is not a way to ask about any path.
      if (!deps.shards.status().some((s) => s.dir === dir)) {
        throw new AgentError('AGENT_ERR_NOT_FOUND', `${dir} is not a watched shard folder (see GET /shards)`);
      }
      const to = req.query.to ?? web.clock.now();
      const from = req.query.from ?? to - DAY;
      if (from >= to) throw new AgentError('AGENT_ERR_BAD_REQUEST', 'query.from: must be before query.to');
      return shardHistory(web.shardSamples, { dir, from, to, points });
    },
  );
}
