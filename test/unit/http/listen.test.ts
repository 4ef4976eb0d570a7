import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { buildApp } from '../../../agent/http/app.js';
import { listenApp } from '../../../agent/http/listen.js';
import { makeDeps, openRepos } from '../../helpers/http-fixtures.js';

function shortDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'emb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a unix socket only its owner can open; a stale one is replaced, a live one refused', async (t) => {
  const repos = openRepos(t.testdir());
  const dir = shortDir(t);
  const sock = path.join(dir, 'a.sock');
  // A stale socket left by a crashed agent: a socket file with nobody listening.
  const stale = net.createServer().listen(sock);
  await new Promise((r) => stale.once('listening', r));
  stale.close();
  await new Promise((r) => stale.once('close', r));
  writeFileSync(path.join(dir, 'x'), '');

  const app = buildApp(makeDeps(repos));
  t.teardown(() => app.close());
  t.equal(await listenApp(app, { kind: 'unix', path: sock }, { allowNonLoopback: false }), `unix:${sock}`);
  t.equal(statSync(sock).mode & 0o777, 0o600);

  const second = buildApp(makeDeps(repos));
  t.teardown(() => second.close());
  await t.rejects(listenApp(second, { kind: 'unix', path: sock }, { allowNonLoopback: false }), {
    code: 'AGENT_ERR_LEASE_HELD',
    message: /already listens on/,
  });
  await t.rejects(
    listenApp(second, { kind: 'unix', path: path.join(dir, 'x') }, { allowNonLoopback: false }),
    {
      code: 'AGENT_ERR_CONFIG',
      message: /exists and is not a socket/,
    },
  );
  await t.rejects(
    listenApp(second, { kind: 'unix', path: `/tmp/${'x'.repeat(120)}.sock` }, { allowNonLoopback: false }),
    {
      message: /unix sockets allow at most 107/,
    },
  );
});

t.test('TCP: loopback only unless allowed', async (t) => {
  const repos = openRepos(t.testdir());
  const app = buildApp(makeDeps(repos));
  t.teardown(() => app.close());
  await t.rejects(listenApp(app, { kind: 'tcp', host: '0.0.0.0', port: 0 }, { allowNonLoopback: false }), {
    code: 'AGENT_ERR_CONFIG',
    message: /not a loopback address; set api\.allowNonLoopback/,
  });
  t.match(
    await listenApp(app, { kind: 'tcp', host: '127.0.0.1', port: 0 }, { allowNonLoopback: false }),
    /^127\.0\.0\.1:\d+$/,
  );
});
