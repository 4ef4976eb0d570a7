// Issue #12, point 6, at the HTTP edge: ids are plain decimal everywhere a request names one, bodies are
// bounded, and a flood of idle connections is capped and closed, so the agent keeps its descriptors.
import { once } from 'node:events';
import net from 'node:net';
import t from 'tap';
import { buildApp } from '../../../agent/http/app.js';
import { listenApp } from '../../../agent/http/listen.js';
import { makeDeps, openRepos, seed, stubCommands, TOKEN } from '../../helpers/http-fixtures.js';

const auth = { authorization: `Bearer ${TOKEN}` };

t.test('ids are plain decimal: no 0x, exponent, sign, spaces or leading zero', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos);
  const commands = stubCommands();
  const app = buildApp(makeDeps(repos, { commands }));
  t.teardown(() => app.close());
  const bad = ['0x10', '1e3', '+5', '-1', '007', '%201', '1.0', '', '99999999999999999999'];
  for (const id of bad) {
    const enc = encodeURIComponent(id);
    for (const url of [
      `/submissions/${enc}`,
      `/jobs/${enc}`,
      `/jobs/1000_${enc}`,
      `/events?submission=${enc}`,
      `/events?after=${enc}`,
      `/events?limit=${enc}`,
      `/logs?target=${enc}`,
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: auth });
      // An empty path segment is another route (404); everything else is a 400 naming the field.
      t.ok(res.statusCode === 400 || (id === '' && res.statusCode === 404), `GET ${url}: ${res.statusCode}`);
    }
    for (const route of ['/hold', '/release', '/resubmit']) {
      for (const target of [id, `1000_${id}`, `#${id}`, `#1:${id}`]) {
        const res = await app.inject({ method: 'POST', url: route, headers: auth, payload: { target } });
        t.equal(res.statusCode, 400, `POST ${route} ${target}`);
      }
    }
    const adopt = await app.inject({ method: 'POST', url: '/adopt', headers: auth, payload: { jobId: id } });
    t.equal(adopt.statusCode, 400, `adopt ${id}`);
  }
  t.equal(commands.calls.length, 0, 'no command ran on a bad id');
  const ok = await app.inject({ method: 'GET', url: '/submissions/1', headers: auth });
  t.equal(ok.statusCode, 200);
  t.equal(
    (await app.inject({ method: 'GET', url: '/events?after=0&limit=5', headers: auth })).statusCode,
    200,
  );
  t.equal((await app.inject({ method: 'GET', url: '/jobs/1000_0', headers: auth })).statusCode, 200);
});

t.test('a body over the limit is refused before it is read whole', async (t) => {
  const repos = openRepos(t.testdir());
  const app = buildApp(makeDeps(repos, { limits: { bodyLimitBytes: 4096 } }));
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/hold',
    headers: auth,
    payload: { target: '1', pad: 'x'.repeat(5000) },
  });
  t.equal(res.statusCode, 413);
});

function openIdle(port: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    // Read whatever comes (a 408), so the server's FIN is seen and the socket closes.
    s.resume();
    s.on('error', () => undefined);
    s.once('connect', () => resolve(s));
    s.once('close', () => resolve(s));
  });
}

t.test('idle connections are capped and closed; the API answers again once they are gone', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos);
  const limits = {
    maxConnections: 20,
    headersTimeoutMs: 500,
    requestTimeoutMs: 500,
    checkIntervalMs: 100,
    idleTimeoutMs: 1000,
  };
  const app = buildApp(makeDeps(repos, { limits }));
  t.teardown(() => app.close());
  const where = await listenApp(
    app,
    { kind: 'tcp', host: '127.0.0.1', port: 0 },
    { allowNonLoopback: false },
  );
  const port = Number(where.slice(where.lastIndexOf(':') + 1));
  // An attacker opens many connections and sends nothing (or half a request line).
  const sockets = await Promise.all(Array.from({ length: 60 }, () => openIdle(port)));
  sockets.slice(0, 10).forEach((s) => s.writable && s.write('GET /health HTTP/1.1\r\n'));
  t.teardown(() => sockets.forEach((s) => s.destroy()));
  const closed = sockets.map((s) => (s.destroyed || s.closed ? Promise.resolve() : once(s, 'close')));
  await Promise.all(closed);
  t.pass('the server closed every idle or half-sent connection itself');
  t.ok((app.server as unknown as { _connections: number })._connections <= limits.maxConnections);
  const res = await fetch(`http://127.0.0.1:${port}/health`, { headers: auth });
  t.equal(res.status, 200, 'and a real client is served');
});
