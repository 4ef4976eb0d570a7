// Notifications from a real agent on the real Slurm: failing array tasks reach a local webhook with their
// diagnosis (one message, then a digest), `emb-client notify test` reaches it, and an agent started after
// a kill -9 says so. No body carries the webhook's URL, the API token or a signature.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import { Receiver } from '../unit/notify/receiver.js';

const SECRET = 'B0SECRETSECRETSECRETSECRET';

interface Body {
  kind: string;
  digest: boolean;
  count: number;
  text: string;
  events: { kind: string; data: { diagnosis?: { cause: string } | null } | null }[];
}

t.test('failed tasks, notify test and an unclean restart reach a webhook', async (t) => {
  if (!(await requireCluster(t))) return;
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  const dir = t.testdir();
  const config = {
    notify: { webhooks: [{ url: rx.url(`/hook/${SECRET}`), format: 'json' }], windowMinutes: 0.1 },
  };
  const agent = await startAgent(dir, config);
  t.teardown(() => agent.stop());
  const work = path.join(dir, 'work');
  const sub = await agent.client(
    [
      'submit',
      '--',
      '--array=0-1',
      '-o',
      path.join(work, 'logs/%x_%A_%a.out'),
      '-t',
      '5',
      '--wrap',
      'echo "https://x.blob.core.windows.net/c/f.tif?st=1&sig=SIGSECRET123 write failed: Disk quota exceeded" >&2; exit 1',
    ],
    { cwd: work },
  );
  t.equal(sub.code, 0, sub.stderr);
  const bodies = () => rx.got.map((r) => JSON.parse(r.body) as Body);
  const failed = () => bodies().filter((b) => b.kind === 'failed');
  await waitFor(async () => failed().reduce((n, b) => n + b.count, 0) === 2 || null, {
    timeoutMs: 120_000,
    what: 'both failures notified',
  });
  const [first, digest] = failed();
  t.match(first, { digest: false, count: 1 });
  t.equal(first?.events[0]?.data?.diagnosis?.cause, 'disk-quota', 'with its diagnosis');
  t.match(digest, { digest: true, count: 1 }, 'the second in the window comes as a digest');

  const test = await agent.client(['notify', 'test']);
  t.equal(test.code, 0, test.stderr);
  t.match(test.stdout, /^sent {4}json 127\.0\.0\.1:\d+$/m);
  t.ok(
    bodies().some((b) => b.kind === 'test'),
    'the test message arrived',
  );

  // An agent killed without a chance to release its lease: the next one says it started after a crash.
  await agent.stop('SIGKILL');
  const again = await startAgent(dir, config);
  t.teardown(() => again.stop());
  await waitFor(async () => bodies().some((b) => b.kind === 'crash') || null, {
    timeoutMs: 30_000,
    what: 'the crash notice',
  });
  t.match(bodies().find((b) => b.kind === 'crash')?.text, /stopped without releasing its lease/);

  const apiToken = readFileSync(path.join(dir, 'state/api-token'), 'utf8').trim();
  for (const r of rx.got) {
    t.notOk(r.body.includes(SECRET), `${JSON.parse(r.body).kind}: no webhook URL`);
    t.notOk(r.body.includes(apiToken), 'no API token');
    t.notOk(r.body.includes('SIGSECRET123'), 'no signature');
  }
  t.notOk(again.output().includes(SECRET) || agent.output().includes(SECRET), 'nor in the logs');
});
