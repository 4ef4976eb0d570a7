// Nothing secret leaves the refresher: no token, `sig=` value or subscription key in a log line, an event,
// an error message or status().
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { TokenStatusListSchema } from '../../../agent/api/tokens.js';
import { harness, sigValues } from '../../helpers/tokens-harness.js';

t.test('a refresh session with every kind of answer leaves no secret in the log', async (t) => {
  const dir = t.testdir({ 'pc.key': 'SUBSCRIPTION-KEY-0123\n' });
  const keyFile = path.join(dir, 'pc.key');
  await chmod(keyFile, 0o600);
  const h = await harness(t, {
    dir,
    tokens: { collections: ['usda-cdl', 'landcoverdata/usda-cdl'], subscriptionKeyFile: keyFile },
    server: { subscriptionKey: 'SUBSCRIPTION-KEY-0123' },
    backoff: { baseMs: 1000, capMs: 1000, maxAttempts: 20 },
  });
  const leaked =
    'st=2026-01-01T00%3A00%3A00Z&se=2026-01-01T01%3A00%3A00Z&sp=rl&sr=c&sig=LEAKEDSIGNATURE%2Babc%3D';
  h.server.fault(
    {
      kind: 'status',
      status: 500,
      message: `signing failed for https://landcoverdata.blob.core.windows.net/usda-cdl?${leaked}`,
    },
    { kind: 'not-json' },
    { kind: 'no-expiry' },
    { kind: 'bad-expiry' },
    { kind: 'expired' },
    { kind: 'no-se' },
    { kind: 'status', status: 403, message: `denied ${leaked}` },
    { kind: 'rate-limit', seconds: 2 },
  );
  for (let i = 0; i < 40 && h.server.pendingFaults() > 0; i++) await h.step();
  await h.settle();
  t.equal(h.server.pendingFaults(), 0, 'every scripted fault was served');
  t.ok(h.server.issued.length >= 8, 'tokens were issued, good and bad');
  if (process.env.SHOW_LOG) process.stderr.write(h.log.text());

  const text = h.log.text();
  t.ok(text.includes('refreshed SAS token'), 'the log did capture the session');
  t.ok(text.includes('SAS token refresh failed'), 'and its failures');
  const secrets = [
    ...h.server.issued,
    ...sigValues(h.server.issued),
    ...sigValues(h.server.issued).map(decodeURIComponent),
    'LEAKEDSIGNATURE',
    'SUBSCRIPTION-KEY-0123',
  ];
  const surfaces = {
    log: text,
    events: JSON.stringify(h.events),
    status: JSON.stringify(TokenStatusListSchema.parse(h.refresher.status())),
  };
  for (const [where, body] of Object.entries(surfaces)) {
    const found = secrets.filter((s) => body.includes(s));
    t.same(found, [], `${where}: no token, sig or key`);
    t.notMatch(body, /sig=(?!REDACTED)/, `${where}: every sig= is redacted`);
  }
  t.match(surfaces.events, /sig=REDACTED/, 'the upstream message was kept, scrubbed');
});

t.test('the status schema drops a token field should one ever be added', async (t) => {
  const parsed = TokenStatusListSchema.parse([
    {
      collection: 'usda-cdl',
      account: null,
      container: null,
      expiry: null,
      secondsLeft: null,
      lastRefreshAt: null,
      lastError: null,
      lastErrorAt: null,
      nextRefreshAt: null,
      inFlight: false,
      state: 'missing',
      jsonFile: '/x/usda-cdl.json',
      tokenFile: '/x/usda-cdl.token',
      token: 'st=1&se=2&sig=abc',
    },
  ]);
  t.notOk('token' in parsed[0]!);
});

t.test('an upstream that echoes the request back: the key and tokens are scrubbed everywhere', async (t) => {
  const KEY = 'pc-sub-key-7f3e9a1c5b2d4e6f';
  const dir = t.testdir({ 'pc.key': `${KEY}\n` });
  const keyFile = path.join(dir, 'pc.key');
  await chmod(keyFile, 0o600);
  const h = await harness(t, {
    dir,
    tokens: { collections: ['usda-cdl'], subscriptionKeyFile: keyFile },
    server: { subscriptionKey: KEY },
    backoff: { baseMs: 1000, capMs: 1000, maxAttempts: 20 },
  });
  h.server.fault({ kind: 'echo', status: 500 }, { kind: 'echo', status: 403 }, { kind: 'echo', status: 502 });
  for (let i = 0; i < 6; i++) await h.step();
  t.equal(h.server.pendingFaults(), 0, 'every echo was served');
  t.ok(
    h.server.requests.every((r) => r.subscriptionKey === KEY),
    'the key was sent each time',
  );
  const surfaces = {
    log: h.log.text(),
    events: JSON.stringify(h.events),
    status: JSON.stringify(TokenStatusListSchema.parse(h.refresher.status())),
  };
  t.match(surfaces.log, /SAS API (answered|refused)/, 'the failures were logged');
  const secrets = [KEY, ...h.server.issued, ...sigValues(h.server.issued)];
  for (const [where, body] of Object.entries(surfaces)) {
    t.same(
      secrets.filter((s) => body.includes(s)),
      [],
      `${where}: no key, token or sig`,
    );
  }
  t.match(
    surfaces.events,
    /with HTTP 403 .*: rejected GET \/api\/sas\/v1\/token\/usda-cdl\?st=/,
    'the echo is kept, scrubbed',
  );
});
