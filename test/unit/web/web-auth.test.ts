// The web page's login and session rules, each through app.inject: one-time codes, the cookie, what a
// session may do, the CSRF defence, the page's headers, and that the bearer rules stay as they were.
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { createLogger } from '../../../agent/log.js';
import { buildApp } from '../../../agent/http/app.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { makeDeps, openRepos, seed, stubCommands, TOKEN } from '../../helpers/http-fixtures.js';
import { builtPage } from '../../helpers/web-page.js';

const HOST = '127.0.0.1:8080';
const ORIGIN = `http://${HOST}`;

async function setup(t: Test) {
  const repos = openRepos(t.testdir());
  seed(repos);
  const clock = new FakeClock(Date.parse('2026-03-01T10:00:00Z'));
  const commands = stubCommands();
  const app = buildApp(makeDeps(repos, { commands, web: { clock, pageDir: builtPage() } }));
  await app.ready();
  t.teardown(() => app.close());
  const code = async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ui/login-codes',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    t.equal(res.statusCode, 201, 'the bearer token makes a code');
    return res.json<{ code: string; path: string; expiresAt: string }>();
  };
  const login = async () => {
    const c = await code();
    const res = await app.inject({ method: 'GET', url: c.path, headers: { host: HOST } });
    t.equal(res.statusCode, 303);
    const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
    const session = await app.inject({ method: 'GET', url: '/ui/session', headers: { cookie, host: HOST } });
    return { cookie, csrf: session.json<{ csrf: string }>().csrf };
  };
  return { app, clock, commands, code, login };
}

t.test('a one-time code becomes a session cookie once, within a minute', async (t) => {
  const { app, clock, code } = await setup(t);
  const c = await code();
  t.match(c.path, /^\/ui\/login\?code=[A-Za-z0-9_-]{32}$/);
  t.equal(Date.parse(c.expiresAt) - clock.now(), 60_000, 'it expires in a minute');

  const res = await app.inject({ method: 'GET', url: c.path });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/ui/', 'the code leaves the address bar');
  const set = String(res.headers['set-cookie']);
  t.match(set, /^emb_session=[A-Za-z0-9_-]{43}; /);
  t.match(set, /; HttpOnly/);
  t.match(set, /; SameSite=Strict/);
  t.match(set, /; Path=\//);
  t.notMatch(set, /Secure/, 'plain http through the tunnel: a Secure cookie would never come back');

  const again = await app.inject({ method: 'GET', url: c.path });
  t.equal(again.statusCode, 401, 'a code works once');
  t.notOk(again.headers['set-cookie']);
  t.match(again.body, /emb-client open/, 'a used link lands on the login hint');

  const late = await code();
  await clock.advance(60_001);
  const expired = await app.inject({ method: 'GET', url: late.path });
  t.equal(expired.statusCode, 401, 'a code older than a minute is refused');
  t.notOk(expired.headers['set-cookie']);

  for (const url of ['/ui/login', '/ui/login?code=', '/ui/login?code=not-a-code']) {
    const bad = await app.inject({ method: 'GET', url });
    t.equal(bad.statusCode, 401, url);
    t.notOk(bad.headers['set-cookie'], url);
  }
});

t.test('only the bearer token makes codes', async (t) => {
  const { app, login } = await setup(t);
  const none = await app.inject({ method: 'POST', url: '/ui/login-codes' });
  t.equal(none.statusCode, 401);
  const { cookie, csrf } = await login();
  const bySession = await app.inject({
    method: 'POST',
    url: '/ui/login-codes',
    headers: { cookie, 'x-emb-csrf': csrf, origin: ORIGIN, host: HOST, 'sec-fetch-site': 'same-origin' },
  });
  t.equal(bySession.statusCode, 403, 'a session cannot make itself new codes');
  t.equal(bySession.json().code, 'AGENT_ERR_FORBIDDEN');
});

t.test('without a session the page is a login hint and nothing else', async (t) => {
  const { app, login } = await setup(t);
  const page = await app.inject({ method: 'GET', url: '/ui/' });
  t.equal(page.statusCode, 401);
  t.match(page.headers['content-type'], /text\/html/);
  t.match(page.body, /emb-client open/);
  t.notMatch(page.body, /app\.js/, 'no script is loaded');
  t.notMatch(page.body, /build_shards/, 'no state');
  t.equal(page.headers['cache-control'], 'no-store');
  for (const url of ['/ui/app.js', '/ui/tasks.js', '/submissions', '/events', '/ui/session']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 401, `${url} without a session`);
  }
  const css = await app.inject({ method: 'GET', url: '/ui/app.css' });
  t.equal(css.statusCode, 200, 'the stylesheet (of the hint too) is public');
  const root = await app.inject({ method: 'GET', url: '/' });
  t.equal(root.statusCode, 302);
  t.equal(root.headers.location, '/ui/');

  const { cookie } = await login();
  const withSession = await app.inject({ method: 'GET', url: '/ui/', headers: { cookie } });
  t.equal(withSession.statusCode, 200);
  t.match(withSession.body, /<script type="module" src="\/ui\/app\.js">/);
  const js = await app.inject({ method: 'GET', url: '/ui/app.js', headers: { cookie } });
  t.equal(js.statusCode, 200);
  t.match(js.headers['content-type'], /text\/javascript/);
  const list = await app.inject({ method: 'GET', url: '/submissions', headers: { cookie } });
  t.equal(list.statusCode, 200, 'a session reads the API');
  t.match(list.body, /build_shards/);
  for (const url of ['/ui/index.html', '/ui/login.html', '/ui/..%2Fpackage.json', '/ui/nope.js']) {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    t.equal(res.statusCode, 404, `${url} is not a page file`);
  }
});

t.test('the page and every reply carry a strict policy', async (t) => {
  const { app, login } = await setup(t);
  const { cookie } = await login();
  for (const url of ['/ui/', '/ui/app.js', '/submissions', '/no/such/route']) {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    const csp = String(res.headers['content-security-policy']);
    t.match(csp, /default-src 'self'/, url);
    t.match(csp, /frame-ancestors 'none'/, url);
    t.match(csp, /script-src 'self'/, url);
    t.match(csp, /style-src 'self'/, url);
    t.notMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${url}: no inline script or style, no wildcard`);
    t.equal(res.headers['x-content-type-options'], 'nosniff', url);
    t.equal(res.headers['x-frame-options'], 'DENY', url);
    t.equal(res.headers['referrer-policy'], 'no-referrer', url);
  }
  for (const url of ['/submissions', '/no/such/route']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 401, `${url} without a session`);
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${url}: refusals carry the headers too`);
    t.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, url);
  }
  const page = await app.inject({ method: 'GET', url: '/ui/', headers: { cookie } });
  t.notMatch(
    page.body,
    /<script>|<style|\sstyle=|\son[a-z]+=/i,
    'the HTML itself has no inline script or style',
  );
});

t.test('a session may hold and release only from the page itself', async (t) => {
  const { app, commands, login } = await setup(t);
  const { cookie, csrf } = await login();
  const good = { cookie, 'x-emb-csrf': csrf, origin: ORIGIN, host: HOST, 'sec-fetch-site': 'same-origin' };
  const post = (url: string, headers: Record<string, string | undefined>) =>
    app.inject({
      method: 'POST',
      url,
      headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >,
      payload: { target: '#1:3' },
    });
  const refusals: [string, Record<string, string | undefined>][] = [
    ['no CSRF header', { ...good, 'x-emb-csrf': undefined }],
    ['a wrong CSRF header', { ...good, 'x-emb-csrf': `${csrf}x` }],
    ['no Origin', { ...good, origin: undefined }],
    ['another Origin', { ...good, origin: 'http://evil.example' }],
    ['another port', { ...good, origin: 'http://127.0.0.1:9999' }],
    ['an unparsable Origin', { ...good, origin: 'null' }],
    ['a cross-site fetch', { ...good, 'sec-fetch-site': 'cross-site' }],
    ['a same-site fetch', { ...good, 'sec-fetch-site': 'same-site' }],
  ];
  for (const [why, headers] of refusals) {
    const res = await post('/hold', headers);
    t.equal(res.statusCode, 403, why);
    t.equal(res.json().code, 'AGENT_ERR_FORBIDDEN', why);
  }
  t.same(commands.calls, [], 'nothing was held');
  const held = await post('/hold', good);
  t.equal(held.statusCode, 200, held.body);
  const released = await post('/release', { ...good, 'sec-fetch-site': undefined });
  t.equal(released.statusCode, 200, 'Sec-Fetch-Site may be absent (older browsers); Origin is checked');
  t.same(
    commands.calls.map((c) => c.method),
    ['hold', 'release'],
  );
  for (const url of ['/resubmit', '/submissions', '/adopt']) {
    const res = await post(url, good);
    t.equal(res.statusCode, 403, `${url}: a session may not`);
  }
  t.equal(commands.calls.length, 2, 'no other command ran');
});

t.test('the bearer rules stay as they were', async (t) => {
  const { app, login } = await setup(t);
  const { cookie } = await login();
  const wrong = await app.inject({
    method: 'GET',
    url: '/submissions',
    headers: { cookie, authorization: 'Bearer wrong' },
  });
  t.equal(wrong.statusCode, 401, 'a wrong token is refused even beside a good cookie');
  const bearer = await app.inject({
    method: 'POST',
    url: '/resubmit',
    headers: { authorization: `Bearer ${TOKEN}` },
    payload: { target: '#1:3' },
  });
  t.equal(bearer.statusCode, 200, 'the token still does everything, without CSRF header or Origin');
  const session = await app.inject({
    method: 'GET',
    url: '/ui/session',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  t.equal(session.statusCode, 404, 'the token has no browser session');
});

t.test('sessions expire, end at logout, and unknown ones are refused', async (t) => {
  const { app, clock, login } = await setup(t);
  const unknown = await app.inject({
    method: 'GET',
    url: '/submissions',
    headers: { cookie: 'emb_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  });
  t.equal(unknown.statusCode, 401);
  t.match(unknown.json().message, /emb-client open/);

  const a = await login();
  await clock.advance(11 * 3_600_000);
  t.equal(
    (await app.inject({ method: 'GET', url: '/events', headers: { cookie: a.cookie } })).statusCode,
    200,
  );
  await clock.advance(11 * 3_600_000);
  t.equal(
    (await app.inject({ method: 'GET', url: '/events', headers: { cookie: a.cookie } })).statusCode,
    200,
    'use keeps a session alive (a tab left open overnight polls)',
  );
  await clock.advance(12 * 3_600_000 + 1);
  t.equal(
    (await app.inject({ method: 'GET', url: '/events', headers: { cookie: a.cookie } })).statusCode,
    401,
    'twelve idle hours end it',
  );

  const b = await login();
  for (let i = 0; i < 16; i++) {
    await clock.advance(11 * 3_600_000);
    await app.inject({ method: 'GET', url: '/events', headers: { cookie: b.cookie } });
  }
  t.equal(
    (await app.inject({ method: 'GET', url: '/events', headers: { cookie: b.cookie } })).statusCode,
    401,
    'seven days end it whatever the use',
  );

  const c = await login();
  const out = await app.inject({
    method: 'POST',
    url: '/ui/logout',
    headers: { cookie: c.cookie, 'x-emb-csrf': c.csrf, origin: ORIGIN, host: HOST },
    payload: {},
  });
  t.equal(out.statusCode, 204);
  t.match(String(out.headers['set-cookie']), /^emb_session=; .*Max-Age=0/);
  t.equal(
    (await app.inject({ method: 'GET', url: '/events', headers: { cookie: c.cookie } })).statusCode,
    401,
  );
});

t.test('an unchanged poll costs a 304', async (t) => {
  const { app, login } = await setup(t);
  const { cookie } = await login();
  const first = await app.inject({ method: 'GET', url: '/submissions', headers: { cookie } });
  const etag = first.headers.etag as string;
  t.match(etag, /^W\/"[A-Za-z0-9_-]+"$/);
  const second = await app.inject({
    method: 'GET',
    url: '/submissions',
    headers: { cookie, 'if-none-match': etag },
  });
  t.equal(second.statusCode, 304);
  t.equal(second.body, '');
  const bearer = await app.inject({
    method: 'GET',
    url: '/submissions',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  t.equal(bearer.statusCode, 200, 'without If-None-Match the client gets the body as before');
  t.equal(bearer.body, first.body);
});

t.test('a login link is never logged', async (t) => {
  const repos = openRepos(t.testdir());
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const clock = new FakeClock();
  const app = buildApp(
    makeDeps(repos, { web: { clock, pageDir: builtPage() } }, createLogger('debug', sink)),
  );
  t.teardown(() => app.close());
  const codes: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/ui/login-codes',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    codes.push(res.json<{ code: string }>().code);
  }
  t.equal((await app.inject({ method: 'GET', url: `/ui/login?code=${codes[0]}` })).statusCode, 303);
  await clock.advance(61_000);
  t.equal((await app.inject({ method: 'GET', url: `/ui/login?code=${codes[1]}` })).statusCode, 401);
  const log = lines.join('');
  t.match(log, /\/ui\/login\?code=REDACTED/, 'the request is logged, its code is not');
  for (const c of codes) t.notOk(log.includes(c), 'no code in the log');
});
