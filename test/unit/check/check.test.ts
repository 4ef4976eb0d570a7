// `emb-agent check` meets what `run` will meet: a listen address it would refuse, a port in use, an
// unreachable SAS API, a cron it would refuse (FAIL), a missing workRoot (warn); --json says the same.
// Slurm is a pair of tiny scripts in slurm.binDir, so the test runs without the test cluster.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import t, { type Test } from 'tap';
import { runCheck } from '../../../agent/check.js';
import { loadConfig } from '../../../agent/config/load.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function check(t: Test, extra: string, json = false) {
  const dir = t.testdir();
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'sbatch'), '#!/bin/sh\necho "slurm 22.05.8"\n');
  writeFileSync(path.join(bin, 'squeue'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(bin, 'sbatch'), 0o755);
  chmodSync(path.join(bin, 'squeue'), 0o755);
  const state = path.join(dir, 'state');
  mkdirSync(state, { mode: 0o700 });
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    `workRoot: ${path.join(dir, 'no-such-work')}\nstateDir: ${state}\nslurm: { binDir: ${bin} }\n${extra}\n`,
  );
  const config = loadConfig(file, { HOME: dir, USER: 'tester', PATH: process.env.PATH });
  const lines: string[] = [];
  const code = await runCheck(config, (l) => lines.push(l), { json });
  return { code, text: lines.join('\n') };
}

t.test('a free loopback port and a missing workRoot: warn, exit 0', async (t) => {
  const port = await freePort();
  const { code, text } = await check(t, `api: { listen: '127.0.0.1:${port}' }`);
  t.match(text, /^warn workRoot: .*no-such-work does not exist yet/m);
  t.match(text, new RegExp(`^ok   api\\.listen: 127\\.0\\.0\\.1:${port} is free and allowed$`, 'm'));
  t.match(text, /^ok {3}slurm: version 22\.05\.8/m);
  t.notMatch(text, /tokens\.apiBase/, 'no SAS probe without collections');
  t.equal(code, 0, text);
});

t.test('a port in use fails', async (t) => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  t.teardown(() => taken.close());
  const { port } = taken.address() as net.AddressInfo;
  const { code, text } = await check(t, `api: { listen: '127.0.0.1:${port}' }`);
  t.match(text, new RegExp(`^FAIL api\\.listen: 127\\.0\\.0\\.1:${port} is in use by another process`, 'm'));
  t.not(code, 0);
});

t.test('a non-loopback address run would refuse fails', async (t) => {
  const { code, text } = await check(t, `api: { listen: '0.0.0.0:${await freePort()}' }`);
  t.match(text, /^FAIL api\.listen: .*not a loopback address/m);
  t.not(code, 0);
});

t.test('an unreachable SAS API fails; a reachable one is ok', async (t) => {
  const closed = await freePort();
  const tokens = (base: string) =>
    `api: { listen: '127.0.0.1:${closed}' }\ntokens: { apiBase: '${base}', collections: [usda-cdl], requestTimeoutSeconds: 5 }`;
  const down = await check(t, tokens(`http://127.0.0.1:${closed}/api/sas/v1`));
  t.match(down.text, /^FAIL tokens\.apiBase: http:\/\/127\.0\.0\.1:\d+\/api\/sas\/v1 unreachable: /m);
  t.not(down.code, 0);

  const expiry = new Date(Date.now() + 3600_000).toISOString();
  const api = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ 'msft:expiry': expiry, token: 'st=1&se=2&sp=rl&sv=3&sr=c&sig=abc' }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  t.teardown(() => api.close());
  const { port } = api.address() as net.AddressInfo;
  const up = await check(t, tokens(`http://127.0.0.1:${port}/api/sas/v1`));
  t.match(up.text, /^ok {3}tokens\.apiBase: .* answers: a token for usda-cdl lives (59|60) min$/m);
  t.notMatch(up.text, /sig=/, 'no signature printed');
});

t.test('a cron the refresher would refuse fails', async (t) => {
  const { code, text } = await check(t, `tokens: { refreshCron: '61 * * * *' }`);
  t.match(text, /^FAIL tokens: tokens\.refreshCron: /m);
  t.not(code, 0);
});

t.test('--json prints the same findings', async (t) => {
  const port = await freePort();
  const { code, text } = await check(t, `api: { listen: '127.0.0.1:${port}' }`, true);
  const doc = JSON.parse(text) as {
    ok: boolean;
    findings: { level: string; what: string; message: string }[];
  };
  t.equal(doc.ok, true);
  t.equal(code, 0);
  t.match(doc.findings, [{ level: 'ok', what: 'config' }]);
  t.ok(doc.findings.some((f) => f.level === 'warn' && f.what === 'workRoot'));
  t.ok(doc.findings.some((f) => f.level === 'ok' && f.what === 'api.listen'));
});
