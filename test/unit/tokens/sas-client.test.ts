// One request against the fake API: paths, header, and how each kind of failure is classified.
import t, { type Test } from 'tap';
import { parseCollection } from '../../../agent/tokens/names.js';
import {
  fetchSasToken,
  parseSasAnswer,
  tokenUrl,
  type SasFetchError,
} from '../../../agent/tokens/sas-client.js';
import { FakeSasServer } from '../../helpers/fake-sas-server.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

async function setup(t: Test, opts: { key?: string } = {}) {
  const server = await FakeSasServer.start({
    now: () => NOW,
    ...(opts.key ? { subscriptionKey: opts.key } : {}),
  });
  t.teardown(() => server.close());
  const get = (id: string, more: { key?: string | null; timeoutMs?: number } = {}) =>
    fetchSasToken({
      apiBase: server.url,
      spec: parseCollection(id),
      subscriptionKey: more.key ?? null,
      timeoutMs: more.timeoutMs ?? 5000,
      now: () => NOW,
    });
  return { server, get };
}

t.test('URLs: /token/{collection} and /token/{account}/{container}', async (t) => {
  const base = 'https://planetarycomputer.microsoft.com/api/sas/v1/';
  t.equal(
    tokenUrl(base, parseCollection('usda-cdl')),
    'https://planetarycomputer.microsoft.com/api/sas/v1/token/usda-cdl',
  );
  t.equal(
    tokenUrl(base, parseCollection('landcoverdata/usda-cdl')),
    'https://planetarycomputer.microsoft.com/api/sas/v1/token/landcoverdata/usda-cdl',
  );
});

t.test('a good answer: token and expiry from msft:expiry; the key header sent when configured', async (t) => {
  const { server, get } = await setup(t, { key: 'k' });
  const a = await get('usda-cdl');
  t.equal(a.token, server.issued[0]);
  t.equal(a.expiryMs, NOW + 45 * 60_000);
  await get('landcoverdata/usda-cdl', { key: 'k' });
  t.same(
    server.requests.map((r) => [r.path, r.subscriptionKey]),
    [
      ['usda-cdl', undefined],
      ['landcoverdata/usda-cdl', 'k'],
    ],
  );
});

t.test('failures are classified, retryable or not', async (t) => {
  const { server, get } = await setup(t);
  const cases: [Parameters<FakeSasServer['fault']>[0], string, boolean, RegExp][] = [
    [{ kind: 'rate-limit', seconds: 23 }, 'rate-limited', true, /HTTP 429, asked to wait 23 s/],
    [{ kind: 'rate-limit' }, 'rate-limited', true, /HTTP 429, no wait stated/],
    [{ kind: 'status', status: 503 }, 'server', true, /HTTP 503/],
    [
      { kind: 'status', status: 404, message: 'nope' },
      'refused',
      false,
      /HTTP 404 \(unknown collection\?\): nope/,
    ],
    [{ kind: 'not-json' }, 'malformed', true, /not JSON/],
    [{ kind: 'no-sig' }, 'malformed', true, /no sig= field/],
    [{ kind: 'expired' }, 'malformed', true, /expired at 2026-01-01T11:59:00Z/],
  ];
  for (const [fault, kind, retryable, message] of cases) {
    server.fault(fault);
    const err = (await get('usda-cdl').catch((e: unknown) => e)) as SasFetchError;
    t.match(err, { code: 'AGENT_ERR_TOKEN_FETCH', kind, message }, fault.kind);
    t.equal(err.retryable, retryable);
  }
  server.fault({ kind: 'rate-limit', seconds: 23, retryAfter: 30 });
  t.match(await get('usda-cdl').catch((e: unknown) => e), { retryAfterMs: 30_000 });
});

t.test('time-out and connection refused', async (t) => {
  const { server, get } = await setup(t);
  server.fault({ kind: 'hang' });
  await t.rejects(get('usda-cdl', { timeoutMs: 100 }), { kind: 'timeout', message: /within 0.1 s/ });
  await server.close();
  await t.rejects(get('usda-cdl'), { kind: 'network', message: /ECONNREFUSED/ });
});

t.test('parseSasAnswer refuses tokens a URL or a shell would choke on', async (t) => {
  const expiry = '2026-01-01T13:00:00Z';
  const body = (token: string) => JSON.stringify({ 'msft:expiry': expiry, token });
  t.match(parseSasAnswer(body('se=x&sig=y'), NOW, 'c'), { token: 'se=x&sig=y' });
  t.throws(() => parseSasAnswer(body('se=x&sig=y\nrm -rf'), NOW, 'c'), {
    message: /characters a URL query cannot/,
  });
  t.throws(() => parseSasAnswer(body('se=x&sig=y"'), NOW, 'c'), {
    name: 'AgentError',
    code: 'AGENT_ERR_TOKEN_FETCH',
  });
  t.throws(() => parseSasAnswer(JSON.stringify({ 'msft:expiry': expiry }), NOW, 'c'), {
    message: /lacks a valid token/,
  });
});
