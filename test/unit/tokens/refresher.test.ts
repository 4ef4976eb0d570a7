// The refresher's schedule and files: refreshes on the cron ticks and at expiry minus the margin, never
// lets the file hold an expired token while the API answers, reads what is on disk at start.
import { readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { TokenStatusListSchema } from '../../../agent/api/tokens.js';
import { harness, MIN, START, startReader, until } from '../../helpers/tokens-harness.js';

t.test('start fetches a missing token and writes both files, 0600 in a 0700 folder', async (t) => {
  const h = await harness(t, { tokens: { collections: ['usda-cdl', 'landcoverdata/usda-cdl'] } });
  t.equal(h.server.count('usda-cdl'), 1);
  t.equal(h.server.count('landcoverdata/usda-cdl'), 1);

  const rec = h.readRecord('usda-cdl');
  t.match(rec, {
    collection: 'usda-cdl',
    account: 'landcoverdata',
    container: 'usda-cdl',
    expiry: new Date(START + 45 * MIN).toISOString().replace('.000Z', 'Z'),
    expiryEpoch: Math.floor((START + 45 * MIN) / 1000),
    fetchedAt: new Date(START).toISOString().replace('.000Z', 'Z'),
  });
  t.equal(rec.token, h.server.issued[0]);
  const tokenText = readFileSync(path.join(h.outDir, 'usda-cdl.token'), 'utf8');
  t.equal(tokenText, rec.token, '.token holds the token alone, no newline');

  const pair = h.readRecord('landcoverdata__usda-cdl');
  t.match(pair, { collection: 'landcoverdata/usda-cdl', account: 'landcoverdata', container: 'usda-cdl' });

  t.equal(statSync(h.outDir).mode & 0o777, 0o700);
  for (const f of ['usda-cdl.json', 'usda-cdl.token', 'landcoverdata__usda-cdl.json']) {
    t.equal(statSync(path.join(h.outDir, f)).mode & 0o777, 0o600, f);
  }

  const status = TokenStatusListSchema.parse(h.refresher.status());
  t.match(status[0], {
    collection: 'usda-cdl',
    state: 'fresh',
    secondsLeft: 45 * 60,
    lastError: null,
    inFlight: false,
    nextRefreshAt: '2026-01-01T12:10:00Z',
    jsonFile: path.join(h.outDir, 'usda-cdl.json'),
  });
});

t.test('cron ticks refresh; the API is called once per tick and no more', async (t) => {
  const h = await harness(t);
  await h.driveTo(START + 60 * MIN);
  // 12:00:30 at start, then 12:10, 12:20, ..., 13:00.
  t.equal(h.server.count(), 7);
  t.same(
    h.server.requests.slice(1).map((r) => new Date(r.at).toISOString().slice(11, 19)),
    ['12:10:00', '12:20:00', '12:30:00', '12:40:00', '12:50:00', '13:00:00'],
  );
  t.equal(h.readRecord('usda-cdl').token, h.server.issued.at(-1), 'the file holds the latest token');
  t.equal(h.server.maxConcurrent('usda-cdl'), 1);
});

t.test(
  'with a rare schedule, expiry minus margin triggers; the file never holds an expired token',
  async (t) => {
    // Once a year: only the margin drives refreshes. Tokens live 45 min, the margin is 15 min.
    const h = await harness(t, { tokens: { refreshCron: '0 0 1 1 *' } });
    const end = START + 6 * 60 * MIN;
    let checks = 0;
    for (let due = h.clock.nextDue(); due !== null && due <= end; due = h.clock.nextDue()) {
      await h.step();
      const rec = h.readRecord('usda-cdl');
      t.ok(Date.parse(rec.expiry) - h.clock.now() >= 15 * MIN, `at ${new Date(h.clock.now()).toISOString()}`);
      checks += 1;
    }
    // One at start, then one every 30 minutes (at 45 - 15) for six hours.
    t.equal(h.server.count(), 1 + 12);
    t.ok(checks >= 12);
    const gaps = h.server.requests.slice(1).map((r, i) => r.at - h.server.requests[i]!.at);
    t.same([...new Set(gaps)], [30 * MIN]);
  },
);

t.test('the token lifetime is read from msft:expiry, never assumed', async (t) => {
  const h = await harness(t, { tokens: { refreshCron: '0 0 1 1 *' } });
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  h.server.lifetimeMs = 24 * 60 * MIN;
  await h.step(); // the 45-minute token from start, refreshed 15 minutes before it expires
  t.equal(h.clock.now(), START + 30 * MIN);
  t.equal(h.refresher.status()[0]!.nextRefreshAt, iso(h.clock.now() + 24 * 60 * MIN - 15 * MIN));
  h.server.lifetimeMs = 20 * MIN;
  await h.step();
  t.equal(
    h.refresher.status()[0]!.nextRefreshAt,
    iso(h.clock.now() + 5 * MIN),
    '20-minute token: due 5 minutes on',
  );
});

t.test('at start: a fresh file is used as is, one inside the margin is refreshed', async (t) => {
  const h = await harness(t, {
    start: false,
    tokens: { collections: ['usda-cdl', 'landcoverdata/other'], refreshCron: '0 0 1 1 *' },
  });
  await mkdir(h.outDir, { recursive: true, mode: 0o700 });
  const record = (
    collection: string,
    account: string | null,
    container: string | null,
    expiryMs: number,
  ) => ({
    collection,
    account,
    container,
    token: `st=x&se=y&sp=rl&sv=2024-05-04&sr=c&sig=${collection.length}abc`,
    expiry: new Date(expiryMs).toISOString(),
    expiryEpoch: Math.floor(expiryMs / 1000),
    fetchedAt: new Date(START - MIN).toISOString(),
  });
  await writeFile(
    path.join(h.outDir, 'usda-cdl.json'),
    JSON.stringify(record('usda-cdl', 'landcoverdata', 'usda-cdl', START + 40 * MIN)),
    { mode: 0o600 },
  );
  await writeFile(
    path.join(h.outDir, 'landcoverdata__other.json'),
    JSON.stringify(record('landcoverdata/other', 'landcoverdata', 'other', START + 10 * MIN)),
    { mode: 0o600 },
  );
  await h.refresher.start();
  await h.settle();
  t.equal(h.server.count('usda-cdl'), 0, 'fresh token kept');
  t.equal(h.server.count('landcoverdata/other'), 1, 'token inside the margin refreshed');
  const [cdl] = h.refresher.status();
  t.match(cdl, {
    state: 'fresh',
    lastRefreshAt: '2026-01-01T11:59:30Z',
    nextRefreshAt: '2026-01-01T12:25:30Z',
  });
});

t.test('a file deleted by hand comes back at the next tick', async (t) => {
  const h = await harness(t);
  const { rm } = await import('node:fs/promises');
  await rm(path.join(h.outDir, 'usda-cdl.json'));
  await h.step();
  t.equal(h.readRecord('usda-cdl').token, h.server.issued.at(-1));
});

t.test(
  'one request in flight per collection, even when its answer is slower than the schedule',
  async (t) => {
    const h = await harness(t);
    h.server.faultFor('usda-cdl', { kind: 'slow', delayMs: 300 });
    await h.clock.runNext(); // the 12:10 tick
    await until(() => h.server.count('usda-cdl') === 2, 'the slow request to arrive');
    t.ok(h.refresher.status()[0]!.inFlight);
    t.equal(h.clock.pending(), 1, 'only the expiry alarm: no tick is planned while a request is out');
    await h.clock.advance(20 * MIN);
    await h.settle();
    t.equal(h.server.count('usda-cdl'), 2, 'the ticks that passed meanwhile asked nothing more');
    t.equal(h.server.maxConcurrent('usda-cdl'), 1);
    t.equal(h.refresher.status()[0]!.state, 'fresh');
  },
);

t.test('stop cancels every timer', async (t) => {
  const h = await harness(t);
  t.ok(h.clock.pending() > 0);
  await h.refresher.stop();
  t.equal(h.clock.pending(), 0);
  const n = h.server.count();
  await h.clock.advance(60 * MIN);
  t.equal(h.server.count(), n);
});

t.test('start refuses an invalid cron expression, naming it', async (t) => {
  const h = await harness(t, { start: false, tokens: { refreshCron: '*/10 * * *' } });
  await t.rejects(h.refresher.start(), {
    code: 'AGENT_ERR_CONFIG',
    message: /tokens\.refreshCron: "\*\/10 \* \* \*" is not a valid cron expression \(expected 5 or 6 fields/,
  });
});

t.test('a job reading the file while it is refreshed over and over sees only complete records', async (t) => {
  // A tick every second: the schedule drives the refreshes, as it does in the agent.
  const h = await harness(t, { tokens: { refreshCron: '* * * * * *' } });
  const reader = startReader(path.join(h.outDir, 'usda-cdl.json'));
  for (let i = 0; i < 100; i++) await h.step();
  const seen = await reader.stop();
  t.equal(seen.broken, 0, `no partial or tokenless record in ${seen.reads} reads`);
  t.ok(seen.versions > 1, `saw ${seen.versions} tokens`);
  t.equal(h.server.count(), 101);
});

t.test('with no collections configured, start touches nothing and status is empty', async (t) => {
  const h = await harness(t, { tokens: { collections: [] } });
  const { existsSync } = await import('node:fs');
  t.notOk(existsSync(h.outDir), 'no folder created');
  t.same(h.refresher.status(), []);
  t.equal(h.clock.pending(), 0);
  t.equal(h.server.count(), 0);
});

t.test(
  'start twice is refused; stop during start leaves nothing planned; a failed start may be retried',
  async (t) => {
    const h = await harness(t, { start: false });
    const first = h.refresher.start();
    await t.rejects(h.refresher.start(), { code: 'AGENT_ERR_CONFLICT' });
    await h.refresher.stop();
    await first;
    t.equal(h.clock.pending(), 0, 'no timer left by the interrupted start');
    await h.refresher.start();
    await h.settle();
    t.equal(h.refresher.status()[0]!.state, 'fresh');

    const bad = await harness(t, { start: false, tokens: { refreshCron: 'nope' } });
    await t.rejects(bad.refresher.start(), { code: 'AGENT_ERR_CONFIG' });
    await t.rejects(
      bad.refresher.start(),
      { code: 'AGENT_ERR_CONFIG' },
      'retried, refused again for the same reason',
    );
  },
);

t.test(
  '90-second tokens with a 60 s margin: always replaced before they expire, never asked in a loop',
  async (t) => {
    const h = await harness(t, { tokens: { refreshCron: '0 0 1 1 *', refreshMarginSeconds: 60 } });
    h.server.lifetimeMs = 90_000;
    await h.step(); // the token from start, replaced by a 90-second one a minute before it expires
    const from = h.clock.now();
    const end = from + 30 * MIN;
    for (let due = h.clock.nextDue(); due !== null && due <= end; due = h.clock.nextDue()) {
      await h.step();
      const rec = h.readRecord('usda-cdl');
      t.ok(
        Date.parse(rec.expiry) > h.clock.now(),
        `the file holds a valid token at +${(h.clock.now() - from) / 1000} s`,
      );
    }
    const gaps = h.server.requests
      .filter((r) => r.at > from)
      .map((r, i, all) => r.at - (i === 0 ? from : all[i - 1]!.at));
    t.ok(
      gaps.length > 0 && gaps.every((g) => g >= 10_000),
      `never two requests within 10 s: ${[...new Set(gaps)].join(', ')} ms`,
    );
    t.ok(
      h.server.count() <= 2 + (30 * MIN) / 30_000,
      'at most one request per 30 s (a third of the lifetime)',
    );
  },
);
