// GET /shards/history: a watched folder's stored samples over a range, thinned to at most `points`; the
// thinning keeps the first sample and each bucket's last; the routes of the page are in the OpenAPI document.
import type { OpenAPIV3_1 } from 'openapi-types';
import t from 'tap';
import type { ShardStatus } from '../../../agent/api/shards.js';
import type { ShardHistoryReply } from '../../../agent/api/web.js';
import { buildApp } from '../../../agent/http/app.js';
import { ShardStore, type ShardSample } from '../../../agent/shards/store.js';
import { thin } from '../../../agent/web/shard-history.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { makeDeps, openRepos, TOKEN } from '../../helpers/http-fixtures.js';
import { builtPage } from '../../helpers/web-page.js';

const DIR = '/cluster/work/users/me/out';
const T = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;

function status(dir: string): ShardStatus {
  return {
    dir,
    group: null,
    missing: false,
    error: null,
    count: 0,
    bytes: 0,
    bytesPending: 0,
    target: null,
    ratePerHour: null,
    etaSeconds: null,
    perTask: [],
    oldestAgeDays: null,
    purge: null,
    lastScanAt: null,
    lastChangeAt: null,
  };
}

t.test('thin keeps at most `points`, the first sample and the last', async (t) => {
  const samples: ShardSample[] = Array.from({ length: 5000 }, (_, i) => ({
    dir: DIR,
    at: T + i * MIN,
    count: i,
    bytes: i * 10,
  }));
  for (const points of [2, 3, 10, 300, 1000]) {
    const out = thin(samples, T, T + 5000 * MIN, points);
    t.ok(out.length <= points, `${points}: ${out.length} points`);
    t.ok(out.length >= points - 1, `${points}: the buckets are used`);
    t.equal(out[0], samples[0], 'the first sample');
    t.equal(out.at(-1), samples.at(-1), 'the last sample');
    t.ok(
      out.every((s, i) => i === 0 || s.at > (out[i - 1] as ShardSample).at),
      'in time order',
    );
  }
  t.same(thin(samples.slice(0, 7), T, T + 7 * MIN, 300), samples.slice(0, 7), 'few samples: all of them');
  t.same(thin([], T, T + MIN, 300), []);
});

t.test('the route answers for watched folders only, over the range asked', async (t) => {
  const repos = openRepos(t.testdir());
  const store = new ShardStore(repos.db);
  const samples: ShardSample[] = [];
  // Three days, one sample a minute: 4320 samples, far more than a chart needs.
  for (let i = 0; i < 3 * 1440; i++) samples.push({ dir: DIR, at: T + i * MIN, count: i, bytes: i * 1000 });
  store.record(samples);
  store.record([{ dir: '/elsewhere', at: T, count: 9, bytes: 9 }]);
  const clock = new FakeClock(T + 3 * 1440 * MIN);
  const app = buildApp(
    makeDeps(repos, {
      shards: { status: () => [status(DIR)] },
      web: { clock, shardSamples: store, pageDir: builtPage() },
    }),
  );
  t.teardown(() => app.close());
  const get = (query: string) =>
    app.inject({
      method: 'GET',
      url: `/shards/history?${query}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });

  const day = await get(`dir=${encodeURIComponent(DIR)}`);
  t.equal(day.statusCode, 200, day.body);
  const h = day.json<ShardHistoryReply>();
  t.equal(h.samples, 1440, 'the last 24 hours by default');
  t.ok(h.points.length <= 300 && h.points.length >= 299, `${h.points.length} points (default 300)`);
  t.equal(h.points.at(-1)?.count, 3 * 1440 - 1, 'ends with the newest sample');
  t.equal(h.to, new Date(clock.now()).toISOString());

  const from = T + 60 * MIN;
  const to = T + 120 * MIN;
  const hour = await get(`dir=${encodeURIComponent(DIR)}&from=${from}&to=${to}&points=1000`);
  const hh = hour.json<ShardHistoryReply>();
  t.equal(hh.samples, 61, 'both ends included');
  t.equal(hh.points.length, 61, 'no thinning below `points`');
  t.same(hh.points[0], { at: new Date(from).toISOString(), count: 60, bytes: 60_000 });

  const few = await get(`dir=${encodeURIComponent(DIR)}&from=${T}&to=${T + 3 * 1440 * MIN}&points=50`);
  t.ok(few.json<ShardHistoryReply>().points.length <= 50);

  t.equal((await get(`dir=${encodeURIComponent('/elsewhere')}`)).statusCode, 404, 'an unwatched folder');
  t.equal((await get('dir=')).statusCode, 400);
  t.equal((await get(`dir=${encodeURIComponent(DIR)}&points=5000`)).statusCode, 400);
  t.equal((await get(`dir=${encodeURIComponent(DIR)}&from=1e3`)).statusCode, 400);
  t.equal((await get(`dir=${encodeURIComponent(DIR)}&from=${to}&to=${from}`)).statusCode, 400);
  t.equal(
    (await app.inject({ method: 'GET', url: `/shards/history?dir=${encodeURIComponent(DIR)}` })).statusCode,
    401,
    'behind the token like every route',
  );

  const bare = buildApp(makeDeps(repos, { web: { clock, shardSamples: store, pageDir: builtPage() } }));
  t.teardown(() => bare.close());
  const off = await bare.inject({
    method: 'GET',
    url: `/shards/history?dir=${encodeURIComponent(DIR)}`,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  t.equal(off.statusCode, 404, 'shard watching not configured');
  t.equal(off.json().code, 'AGENT_ERR_NOT_FOUND');
});

t.test('the routes of the page are documented like the others; the page files are not', async (t) => {
  const repos = openRepos(t.testdir());
  const app = buildApp(makeDeps(repos, { web: { clock: new FakeClock(), pageDir: builtPage() } }));
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'GET',
    url: '/openapi.json',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const doc = res.json<OpenAPIV3_1.Document>();
  const want: Record<string, [string, string]> = {
    '/ui/login-codes': ['post', 'createLoginCode'],
    '/ui/session': ['get', 'getSession'],
    '/ui/logout': ['post', 'logout'],
    '/shards/history': ['get', 'getShardHistory'],
  };
  for (const [url, [method, id]] of Object.entries(want)) {
    const op = (doc.paths?.[url] as Record<string, OpenAPIV3_1.OperationObject> | undefined)?.[method];
    t.equal(op?.operationId, id, `${method} ${url}`);
    t.ok(op?.tags?.length, `${url} has a tag`);
  }
  for (const url of ['/', '/ui', '/ui/', '/ui/{file}', '/ui/login'])
    t.notOk(doc.paths?.[url], `${url} hidden`);
  t.ok(
    doc.tags?.some((x) => x.name === 'ui'),
    'the ui tag is declared',
  );
});
