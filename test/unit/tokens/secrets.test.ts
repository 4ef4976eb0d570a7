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
  for (let i = 0; i < 12; i++) await h.step();
  await h.refresher.refreshNow();
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
