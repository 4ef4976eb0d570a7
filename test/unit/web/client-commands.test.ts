// emb-client open and shards --watch as users run them: a real client process against a real agent app.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { ShardStatus } from '../../../agent/api/shards.js';
import { buildApp } from '../../../agent/http/app.js';
import { listenApp } from '../../../agent/http/listen.js';
import { ShardStore } from '../../../agent/shards/store.js';
import { pageAddress } from '../../../client/commands/open.js';
import { sparkline } from '../../../client/commands/shards.js';
import { systemClock } from '../../../agent/clock.js';
import { makeDeps, openRepos, seed, TOKEN } from '../../helpers/http-fixtures.js';
import { builtPage, ROOT } from '../../helpers/web-page.js';

const cli = path.join(ROOT, 'client/cli.ts');
const DIR = '/cluster/work/users/me/out';

function client(args: string[], onOut?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
        env: { PATH: process.env.PATH, HOME: '/nonexistent', USER: 'me' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        onOut?.(stdout, child);
      });
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
}

async function agent(t: Test, listen: 'tcp' | 'unix') {
  const dir = t.testdir();
  const repos = openRepos(dir);
  seed(repos);
  const store = new ShardStore(repos.db);
  const now = Date.now();
  store.record(
    Array.from({ length: 60 }, (_, i) => ({ dir: DIR, at: now - (60 - i) * 60_000, count: i * 2, bytes: i })),
  );
  const status: ShardStatus = {
    dir: DIR,
    group: null,
    missing: false,
    error: null,
    count: 118,
    bytes: 59,
    bytesPending: 0,
    target: 200,
    ratePerHour: 120,
    etaSeconds: 2460,
    perTask: [],
    oldestAgeDays: null,
    purge: null,
    lastScanAt: null,
    lastChangeAt: null,
  };
  const tokenFile = path.join(dir, 'api-token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const app = buildApp(
    makeDeps(repos, {
      shards: { status: () => [status] },
      web: { clock: systemClock, shardSamples: store, pageDir: builtPage() },
    }),
  );
  t.teardown(() => app.close());
  const sockDir = mkdtempSync(path.join(tmpdir(), 'emb-'));
  t.teardown(() => rmSync(sockDir, { recursive: true, force: true }));
  const where = await listenApp(
    app,
    listen === 'tcp'
      ? { kind: 'tcp', host: '127.0.0.1', port: 0 }
      : { kind: 'unix', path: path.join(sockDir, 'agent.sock') },
    { allowNonLoopback: false },
  );
  const url = listen === 'tcp' ? `http://${where}` : where;
  return { url, base: ['--url', url, '--token-file', tokenFile] };
}

t.test('pageAddress: the tunnel a browser needs', async (t) => {
  const who = { user: 'me', host: 'login-3' };
  t.same(pageAddress('unix:/run/user/1000/emb-agent/agent.sock', undefined, who), {
    base: 'http://127.0.0.1:8080',
    tunnel: 'ssh -N -L 8080:/run/user/1000/emb-agent/agent.sock me@login-3',
    local: false,
  });
  t.same(pageAddress('http://127.0.0.1:8787', undefined, who), {
    base: 'http://127.0.0.1:8787',
    tunnel: 'ssh -N -L 8787:127.0.0.1:8787 me@login-3',
    local: true,
  });
  t.equal(pageAddress('http://127.0.0.1:8787', 9000, who).tunnel, 'ssh -N -L 9000:127.0.0.1:8787 me@login-3');
  t.equal(pageAddress('http://127.0.0.1:8787', 9000, who).local, false);
  t.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
  t.equal(sparkline([3, 3]), '▁▁');
});

t.test('open prints a link that logs a browser in once', async (t) => {
  const a = await agent(t, 'tcp');
  const run = await client([...a.base, 'open', '--no-browser']);
  t.equal(run.code, 0, run.stderr);
  const link = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/ui\/login\?code=\S+)$/m.exec(run.stdout)?.[1];
  t.ok(link, run.stdout);
  t.match(run.stdout, /within a minute/);
  t.match(run.stdout, /ssh -N -L \d+:127\.0\.0\.1:\d+ me@/);
  const first = await fetch(link as string, { redirect: 'manual' });
  t.equal(first.status, 303);
  t.match(first.headers.get('set-cookie') ?? '', /^emb_session=.*HttpOnly/);
  const second = await fetch(link as string, { redirect: 'manual' });
  t.equal(second.status, 401, 'the link works once');

  const u = await agent(t, 'unix');
  const json = await client([...u.base, '--json', 'open']);
  t.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { url: string; tunnel: string; expiresAt: string };
  t.match(out.url, /^http:\/\/127\.0\.0\.1:8080\/ui\/login\?code=/);
  t.match(
    out.tunnel,
    new RegExp(`^ssh -N -L 8080:${u.url.slice(5).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} me@`),
  );
});

t.test('shards --watch redraws until Ctrl-C and ends cleanly', async (t) => {
  const a = await agent(t, 'tcp');
  let sent = false;
  const run = await client([...a.base, 'shards', '--watch', '--interval', '1'], (text, child) => {
    // Two rounds printed: interrupt as a user would.
    if (!sent && (text.match(/Ctrl-C ends/g) ?? []).length >= 2) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  t.equal(run.code, 0, `exit 0 after Ctrl-C (${run.stderr})`);
  t.equal(run.signal, null, 'ended by itself, not killed');
  t.ok((run.stdout.match(/FOLDER/g) ?? []).length >= 2, 'the table came at least twice');
  t.match(run.stdout, new RegExp(`${DIR}: [▁▂▃▄▅▆▇█]{5,} \\(last 6 h\\)`), 'with the folder’s trend');
  t.notOk(run.stdout.includes('\u001b['), 'no terminal codes on a pipe');
  const plain = await client([...a.base, 'shards']);
  t.equal(plain.code, 0);
  t.match(plain.stdout, /118/);
  t.notMatch(plain.stdout, /Ctrl-C/, 'without --watch: the table once');
});
