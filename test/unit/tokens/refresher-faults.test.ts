// The refresher against a failing API: 429 waits, exponential backoff with a cap, malformed answers refused
// (the old token stays), time-outs, refusals, and the events users see.
import { readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { harness, MIN, START, until } from '../../helpers/tokens-harness.js';

const S = 1000;

t.test('429 with "Try again in N seconds" waits exactly the stated seconds', async (t) => {
  const h = await harness(t);
  h.server.fault({ kind: 'rate-limit', seconds: 23 });
  await h.step(); // 12:10:00 tick -> 429
  t.equal(h.server.count(), 2);
  const tick = Date.UTC(2026, 0, 1, 12, 10, 0);
  t.match(h.refresher.status()[0], {
    state: 'error',
    inFlight: true,
    nextRefreshAt: '2026-01-01T12:10:23Z',
    lastError: /HTTP 429, asked to wait 23 s/,
  });
  await h.clock.advanceTo(tick + 22 * S);
  t.equal(h.server.count(), 2, 'nothing before 23 s');
  await h.step();
  t.equal(h.server.count(), 3);
  t.equal(h.server.requests[2]!.at, tick + 23 * S);
  t.equal(h.refresher.status()[0]!.state, 'fresh');
});

t.test('429 with Retry-After only, and with both (the longer wins)', async (t) => {
  const h = await harness(t);
  h.server.fault({ kind: 'rate-limit', retryAfter: 7 }, { kind: 'rate-limit', seconds: 5, retryAfter: 12 });
  const tick = Date.UTC(2026, 0, 1, 12, 10, 0);
  await h.step();
  await h.step();
  await h.step();
  t.same(
    h.server.requests.slice(1).map((r) => (r.at - tick) / S),
    [0, 7, 19],
  );
});

t.test('a 429 holds back every collection, not only the one refused', async (t) => {
  // Refreshed at expiry minus the margin only; the second collection's first answer fails, so its
  // refresh falls due 2 s after the first one's, inside the wait the first one is asked for.
  const h = await harness(t, {
    start: false,
    tokens: { collections: ['usda-cdl', 'landcoverdata/usda-cdl'], refreshCron: '0 0 1 1 *' },
  });
  const other = 'landcoverdata/usda-cdl';
  h.server.faultFor(other, { kind: 'status', status: 500 });
  await h.refresher.start();
  await h.settle();
  await h.step(); // the second collection's retry, 2 s on
  t.equal(h.server.count(other), 2);
  h.server.faultFor('usda-cdl', { kind: 'rate-limit', seconds: 30 });
  await h.step(); // 12:30:30, the first collection's refresh: 429
  t.equal(h.server.count('usda-cdl'), 2);
  await h.step(); // 12:30:32, the second's refresh falls inside the wait
  await h.clock.advanceTo(START + 30 * MIN + 29 * S);
  t.equal(h.server.count(other), 2, 'no request inside the wait');
  await h.clock.advance(1 * S);
  await until(() => h.server.count() === 6, 'both requests after the wait');
  await h.settle();
  t.same(
    h.server.requests.slice(-2).map((r) => r.at),
    [START + 30 * MIN + 30 * S, START + 30 * MIN + 30 * S],
    'both went at the end of the wait',
  );
});

t.test('5xx answers back off exponentially up to the cap', async (t) => {
  const h = await harness(t, { backoff: { baseMs: 1 * S, capMs: 8 * S, maxAttempts: 7 } });
  h.server.fault(
    { kind: 'status', status: 500 },
    { kind: 'status', status: 503 },
    { kind: 'status', status: 502 },
    { kind: 'status', status: 500 },
    { kind: 'status', status: 500 },
    { kind: 'status', status: 500 },
  );
  for (let i = 0; i < 7; i++) await h.step();
  const at = h.server.requests.slice(1).map((r) => r.at);
  const gaps = at.slice(1).map((x, i) => (x - at[i]!) / S);
  t.same(gaps, [1, 2, 4, 8, 8, 8], 'doubling from 1 s, capped at 8 s');
  t.equal(h.refresher.status()[0]!.state, 'fresh');
});

t.test('jitter comes from the injected random source and only shortens the delay', async (t) => {
  const h = await harness(t, { random: () => 0.5, backoff: { baseMs: 10 * S, capMs: 40 * S, jitter: 0.2 } });
  h.server.fault(
    { kind: 'status', status: 500 },
    { kind: 'status', status: 500 },
    { kind: 'status', status: 500 },
  );
  for (let i = 0; i < 4; i++) await h.step();
  const at = h.server.requests.slice(1).map((r) => r.at);
  t.same(
    at.slice(1).map((x, i) => x - at[i]!),
    [9 * S, 18 * S, 36 * S],
  );
});

t.test('a cycle gives up after maxAttempts; the schedule tries again', async (t) => {
  const h = await harness(t, { backoff: { baseMs: 1 * S, capMs: 4 * S, maxAttempts: 3 } });
  h.server.fault(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 500 })));
  for (let i = 0; i < 3; i++) await h.step();
  t.equal(h.server.count(), 4, 'start + 3 attempts');
  t.match(h.refresher.status()[0], {
    inFlight: false,
    state: 'error',
    nextRefreshAt: '2026-01-01T12:20:00Z',
  });
  await h.step();
  t.equal(h.server.count(), 5);
  t.match(h.refresher.status()[0], { state: 'error' }, 'fourth 500');
});

t.test('malformed answers are refused, not written; the old token stays', async (t) => {
  const h = await harness(t, { backoff: { baseMs: 1 * S, capMs: 1 * S, maxAttempts: 10 } });
  const jsonPath = path.join(h.outDir, 'usda-cdl.json');
  const before = readFileSync(jsonPath, 'utf8');
  const tokenBefore = readFileSync(path.join(h.outDir, 'usda-cdl.token'), 'utf8');
  const kinds = ['not-json', 'no-expiry', 'bad-expiry', 'expired', 'no-sig', 'no-se'] as const;
  const messages = [
    /is not JSON/,
    /lacks a valid msft:expiry/,
    /lacks a valid msft:expiry/,
    /expired at .* before now/,
    /has no sig= field/,
    /has no se= field/,
  ];
  h.server.fault(...kinds.map((kind) => ({ kind })));
  await h.step(); // tick: first malformed answer
  for (const [i, kind] of kinds.entries()) {
    t.equal(readFileSync(jsonPath, 'utf8'), before, `${kind}: json unchanged`);
    t.equal(
      readFileSync(path.join(h.outDir, 'usda-cdl.token'), 'utf8'),
      tokenBefore,
      `${kind}: token unchanged`,
    );
    t.match(h.refresher.status()[0], { state: 'error', lastError: messages[i] }, kind);
    await h.step();
  }
  t.equal(h.server.count(), 1 + kinds.length + 1);
  t.equal(h.readRecord('usda-cdl').token, h.server.issued.at(-1), 'the next good answer is written');
});

t.test('a slow answer beyond requestTimeoutSeconds counts as a failure and is retried', async (t) => {
  const h = await harness(t, { tokens: { requestTimeoutSeconds: 0.2 }, backoff: { baseMs: 5 * S } });
  h.server.fault({ kind: 'hang' }, { kind: 'slow', delayMs: 2_000 });
  await h.step();
  t.match(h.refresher.status()[0], {
    lastError: /no answer from http:\/\/127\.0\.0\.1:\d+\/api\/sas\/v1\/token\/usda-cdl within 0\.2 s/,
  });
  await h.step();
  await h.step();
  t.equal(h.server.count(), 4);
  t.equal(h.refresher.status()[0]!.state, 'fresh');
});

t.test('network errors (nothing listening) are retried with backoff', async (t) => {
  const h = await harness(t, { backoff: { baseMs: 1 * S } });
  await h.server.close();
  await h.step();
  t.match(h.refresher.status()[0], {
    state: 'error',
    lastError: /cannot reach http:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/,
  });
  t.equal(h.refresher.status()[0]!.nextRefreshAt, '2026-01-01T12:10:01Z');
});

t.test('inside the margin and failing: a warn event; expired: an error event; then recovery', async (t) => {
  const h = await harness(t, {
    tokens: { refreshCron: '0 0 1 1 *' },
    backoff: { baseMs: 60 * S, capMs: 5 * MIN, maxAttempts: 100 },
  });
  h.server.fault(...Array.from({ length: 6 }, () => ({ kind: 'status' as const, status: 503 })));
  await h.driveTo(START + 30 * MIN); // margin reached: first 503
  t.same(
    h.events.map((e) => [e.level, e.kind]),
    [['warn', 'token-refresh-failing']],
  );
  t.match(
    h.events[0]!.message,
    /SAS token for usda-cdl expires in 900 s .* could not be refreshed: SAS API answered HTTP 503/,
  );
  t.equal(h.refresher.status()[0]!.state, 'error');
  await h.driveTo(START + 45 * MIN);
  t.same(
    h.events.map((e) => [e.level, e.kind]),
    [
      ['warn', 'token-refresh-failing'],
      ['error', 'token-expired'],
    ],
    'one event per condition, not one per retry',
  );
  t.equal(h.refresher.status()[0]!.state, 'expired');
  t.equal(h.refresher.status()[0]!.secondsLeft, 0);
  await h.driveTo(START + 90 * MIN);
  t.equal(h.refresher.status()[0]!.state, 'fresh');
  t.match(h.events.at(-1), { level: 'info', kind: 'token-recovered' });
});

t.test('a refusal (404, 401) is not retried within the cycle and raises an error event', async (t) => {
  const h = await harness(t);
  h.server.fault({ kind: 'status', status: 404, message: 'Collection bogus not found' });
  await h.step();
  t.equal(h.server.count(), 2);
  t.match(h.refresher.status()[0], {
    inFlight: false,
    lastError: 'SAS API refused usda-cdl with HTTP 404 (unknown collection?): Collection bogus not found',
    nextRefreshAt: '2026-01-01T12:20:00Z',
  });
  t.match(h.events, [{ level: 'error', kind: 'token-refresh-refused' }]);
});

t.test('the subscription key is sent as Ocp-Apim-Subscription-Key', async (t) => {
  const dir = t.testdir({ 'pc.key': 'k3y-value\n' });
  const keyFile = path.join(dir, 'pc.key');
  await chmod(keyFile, 0o600);
  const h = await harness(t, {
    dir,
    tokens: { subscriptionKeyFile: keyFile },
    server: { subscriptionKey: 'k3y-value', requireKey: true },
  });
  t.equal(h.server.count(), 1);
  t.equal(h.server.requests[0]!.subscriptionKey, 'k3y-value');
  t.equal(h.refresher.status()[0]!.state, 'fresh');
  t.notMatch(h.log.text(), /k3y-value/, 'the key is not logged');
});

t.test('a wrong key: 401 is a refusal with a hint', async (t) => {
  const dir = t.testdir({ 'pc.key': 'wrong' });
  const keyFile = path.join(dir, 'pc.key');
  await chmod(keyFile, 0o600);
  const h = await harness(t, {
    dir,
    tokens: { subscriptionKeyFile: keyFile },
    server: { subscriptionKey: 'right' },
  });
  t.match(h.refresher.status()[0], {
    state: 'missing',
    lastError: /HTTP 401 \(check tokens.subscriptionKeyFile\)/,
  });
  t.equal(h.server.count(), 1);
});

t.test('start refuses a key file readable by others, naming the file and its mode', async (t) => {
  const dir = t.testdir();
  const keyFile = path.join(dir, 'pc.key');
  await writeFile(keyFile, 'secret\n');
  await chmod(keyFile, 0o644);
  const h = await harness(t, { dir, start: false, tokens: { subscriptionKeyFile: keyFile } });
  await t.rejects(h.refresher.start(), {
    code: 'AGENT_ERR_CONFIG',
    message: `tokens.subscriptionKeyFile ${keyFile} has mode 0644; it must be 0600 (run: chmod 600 ${keyFile})`,
  });
  t.equal(h.server.count(), 0);
});
