// POST /notify/test through the real app: each target's result, named without its URL; 404 with a code when
// nothing is configured; the bearer token required like everywhere.
import t from 'tap';
import { buildApp } from '../../../agent/http/app.js';
import { makeDeps, openRepos, TOKEN } from '../../helpers/http-fixtures.js';
import { makeNotifier } from './harness.js';
import { Receiver } from './receiver.js';

const auth = { authorization: `Bearer ${TOKEN}` };

t.test('POST /notify/test reports every target', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  rx.script.push({ status: 200 }, { status: 500 });
  const { notifier } = makeNotifier({
    webhooks: [
      { url: rx.url('/a/SECRETPATHSECRETPATH'), format: 'slack' },
      { url: rx.url('/b/SECRETPATHSECRETPATH'), name: 'broken' },
    ],
  });
  await notifier.start();
  t.teardown(() => notifier.stop());
  const app = buildApp(makeDeps(openRepos(t.testdir()), { notify: notifier }));
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/notify/test', headers: auth, payload: {} });
  t.equal(res.statusCode, 200);
  t.match(res.json(), {
    results: [
      { target: /^slack 127\.0\.0\.1:\d+$/, type: 'webhook', ok: true, error: null },
      { target: 'broken', type: 'webhook', ok: false, error: /HTTP 500/ },
    ],
  });
  t.notMatch(res.body, /SECRETPATH/);
  t.equal(rx.got.length, 2, 'one message each, no retry for a test');

  const anon = await app.inject({ method: 'POST', url: '/notify/test', payload: {} });
  t.equal(anon.statusCode, 401);
});

t.test('no target configured: 404 with a code that says what to configure', async (t) => {
  const { notifier } = makeNotifier({});
  const app = buildApp(makeDeps(openRepos(t.testdir()), { notify: notifier }));
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/notify/test', headers: auth, payload: {} });
  t.equal(res.statusCode, 404);
  t.match(res.json(), { code: 'AGENT_ERR_NOT_FOUND', message: /notify\.webhooks, notify\.mail/ });
});
