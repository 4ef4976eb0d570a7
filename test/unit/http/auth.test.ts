import t from 'tap';
import { bearerChecker } from '../../../agent/http/auth.js';
import { CHALLENGE_PATH, newNonce, proofHolds } from '../../../shared/listener-proof.js';
import { buildApp } from '../../../agent/http/app.js';
import { makeDeps, openRepos, seed, TOKEN } from '../../helpers/http-fixtures.js';

t.test('bearerChecker accepts only the exact token', async (t) => {
  const ok = bearerChecker('abc123');
  t.equal(ok('Bearer abc123'), true);
  t.equal(ok('bearer abc123'), true, 'the scheme is case-insensitive');
  t.equal(ok('Bearer abc1234'), false);
  t.equal(ok('Bearer abc12'), false);
  t.equal(ok('abc123'), false);
  t.equal(ok('Basic abc123'), false);
  t.equal(ok(''), false);
  t.equal(ok(undefined), false);
  t.throws(() => bearerChecker(''), /empty/);
});

t.test('every route, and unknown ones, answer 401 without the right token', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos);
  const app = buildApp(makeDeps(repos, { metrics: { render: () => 'up 1\n' } }));
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) routes.push({ method: m, url: r.url });
  });
  await app.ready();
  t.teardown(() => app.close());
  const urls = new Set(routes.map((r) => r.url));
  for (const u of [
    '/health',
    '/submissions',
    '/submissions/:id',
    '/jobs/:jobId',
    '/events',
    '/adopt',
    '/hold',
    '/release',
    '/resubmit',
    '/tokens',
    '/shards',
    '/logs',
    '/metrics',
    '/openapi.json',
  ]) {
    t.ok(urls.has(u), `route ${u} exists`);
  }
  routes.push({ method: 'GET', url: '/no/such/route' }, { method: 'DELETE', url: '/submissions' });
  for (const r of routes) {
    const url = r.url.replace(':id', '1').replace(':jobId', '1000');
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN, `Basic ${TOKEN}`]) {
      const res = await app.inject({
        method: r.method as 'GET',
        url,
        headers: authorization === undefined ? {} : { authorization },
        ...(r.method === 'POST' ? { payload: { target: '1000' } } : {}),
      });
      t.equal(res.statusCode, 401, `${r.method} ${url} with ${authorization ?? 'no header'}`);
      if (r.method !== 'HEAD') {
        t.match(res.json(), { code: 'AGENT_ERR_UNAUTHORIZED', message: String });
        t.notMatch(res.body, /build_shards|1000_/, 'nothing leaks');
      }
    }
  }
  const good = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  t.equal(good.statusCode, 200);
});

t.test(
  'POST /auth/challenge alone needs no token: it proves the agent knows it, and says nothing else',
  async (t) => {
    const repos = openRepos(t.testdir());
    seed(repos);
    const app = buildApp(makeDeps(repos));
    t.teardown(() => app.close());
    const nonce = newNonce();
    const res = await app.inject({ method: 'POST', url: CHALLENGE_PATH, payload: { nonce } });
    t.equal(res.statusCode, 200);
    t.ok(proofHolds(TOKEN, nonce, res.json().proof), 'HMAC-SHA256(token, label ‖ nonce)');
    t.notOk(proofHolds('another-token', nonce, res.json().proof), 'bound to the token');
    t.notOk(proofHolds(TOKEN, newNonce(), res.json().proof), 'and to the nonce');
    t.notMatch(res.body, new RegExp(TOKEN), 'the token itself never leaves');
    for (const nonce of ['', 'xyz', 'AB'.repeat(16), 'a'.repeat(200), 42]) {
      const bad = await app.inject({ method: 'POST', url: CHALLENGE_PATH, payload: { nonce } });
      t.equal(bad.statusCode, 400, `nonce ${JSON.stringify(nonce)}`);
    }
    const big = await app.inject({
      method: 'POST',
      url: CHALLENGE_PATH,
      payload: { nonce: 'a'.repeat(4096) },
    });
    t.equal(big.statusCode, 413, 'a small body limit');
    for (const r of [
      { method: 'GET', url: CHALLENGE_PATH },
      { method: 'POST', url: `${CHALLENGE_PATH}?x=1` },
      { method: 'POST', url: `${CHALLENGE_PATH}/` },
    ] as const) {
      const other = await app.inject({ ...r, payload: r.method === 'POST' ? { nonce } : undefined });
      t.equal(other.statusCode, 401, `${r.method} ${r.url} is not exempt`);
    }
  },
);
