// Issue #12, point 7, at the HTTP edge: a credential in a query string or a header never reaches a log line
// or a reply body, whether the request is refused, unknown or served.
import { Writable } from 'node:stream';
import t from 'tap';
import { buildApp } from '../../../agent/http/app.js';
import { createLogger } from '../../../agent/log.js';
import { makeDeps, openRepos, seed, TOKEN } from '../../helpers/http-fixtures.js';

t.test('query-string tokens and bearer tokens are not logged, nor echoed', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const app = buildApp(makeDeps(repos, {}, createLogger('debug', sink)));
  t.teardown(() => app.close());
  const secrets = ['QTOKEN-1a2b3c4d5e', 'QSIG-9f8e7d6c5b', 'QKEY-0011223344', 'WRONG-BEARER-55667788'];
  const bodies: string[] = [];
  for (const [url, authorization] of [
    [`/submissions?token=${secrets[0]}&sig=${secrets[1]}`, `Bearer ${secrets[3]}`],
    [`/no/such/route?api_key=${secrets[2]}&token=${secrets[0]}`, `Bearer ${TOKEN}`],
    [`/submissions?token=${secrets[0]}`, `Bearer ${TOKEN}`],
    [`/submissions/0x1?subscription-key=${secrets[2]}`, `Bearer ${TOKEN}`],
  ] as const) {
    const res = await app.inject({ method: 'GET', url, headers: { authorization } });
    bodies.push(res.body);
  }
  const log = lines.join('');
  t.match(log, /request refused or failed/, 'the requests were logged');
  t.match(log, /token=REDACTED/, 'with the query scrubbed, not dropped');
  for (const s of [...secrets, TOKEN]) {
    t.notOk(log.includes(s), `log: no ${s}`);
    t.notOk(bodies.join('\n').includes(s), `bodies: no ${s}`);
  }
});
