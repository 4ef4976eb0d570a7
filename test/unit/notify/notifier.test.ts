// Every notify kind reaches a real local HTTP server in every webhook format, and no secret is in any body.
import t from 'tap';
import { Receiver, until } from './receiver.js';
import { API_TOKEN, decision, makeNotifier } from './harness.js';

const HOOK_SECRET = 'T0SECRET/B0SECRET/xoxbSECRETSECRETSECRET';
const SIG = 'sig=AbCdEf0123456789%2Fsecret';

t.test('each event kind, in json, slack and ntfy format, with no secret in any body', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  const { clock, tasks, notifier } = makeNotifier({
    webhooks: [
      { url: rx.url(`/json/${HOOK_SECRET}`), format: 'json' },
      { url: rx.url(`/slack/${HOOK_SECRET}`), format: 'slack' },
      { url: rx.url(`/ntfy/${HOOK_SECRET}?auth=${HOOK_SECRET}`), format: 'ntfy' },
    ],
  });
  await notifier.start();
  t.teardown(() => notifier.stop());
  const now = clock.now();
  tasks.set(1, {
    index: 0,
    diagnosisCause: 'oom-kill',
    diagnosisHint: 'ask for more --mem',
    state: 'failed',
    submissionId: 7,
  });
  tasks.set(2, { index: 1, diagnosisCause: null, diagnosisHint: null, state: 'stalled', submissionId: 8 });
  tasks.set(3, { index: 2, diagnosisCause: null, diagnosisHint: null, state: 'exhausted', submissionId: 9 });
  tasks.set(4, { index: 0, diagnosisCause: null, diagnosisHint: null, state: 'done', submissionId: 10 });
  const src = notifier.source;
  // A message quoting a signed URL, the API token and the webhook itself: none of it may leave.
  const leaky = `1234_1: failed: GDAL: https://x.blob.core.windows.net/c/f.tif?st=1&${SIG} token ${API_TOKEN} hook ${rx.url(`/json/${HOOK_SECRET}`)}`;
  src.recorded(decision(7, 1, 'failed', now, leaky));
  src.recorded(decision(8, 2, 'stalled', now));
  src.recorded(decision(9, 3, 'exhausted', now));
  src.recorded(decision(10, 4, 'done', now));
  src.recorded({
    at: now,
    level: 'error',
    kind: 'token-expired',
    submissionId: null,
    taskId: null,
    jobId: null,
    message: `SAS token for usda-cdl expired: HTTP 403 ${SIG}`,
    data: { collection: 'usda-cdl' },
  });
  src.recorded({
    at: now,
    level: 'error',
    kind: 'resume.rejected',
    submissionId: 11,
    taskId: null,
    jobId: null,
    message: `sbatch refused the resubmission of indices 3: invalid account ${SIG}`,
    data: { intent: 5 },
  });
  src.shards({ dir: '/w/outputs/shards/aef', count: 10, target: 12 });
  src.shards({ dir: '/w/outputs/shards/aef', count: 12, target: 12 });
  src.crashed({ host: 'login-2', pid: 4242, lastSeenAt: now - 60_000 });
  await clock.advance(2_000); // the all-done check runs after a burst of decisions
  await until(() => rx.got.length === 8 * 3, '24 posts');

  const json = rx.got
    .filter((r) => r.path.startsWith('/json/'))
    .map((r) => JSON.parse(r.body) as { kind: string; text: string; events: { data: unknown }[] });
  t.same(json.map((b) => b.kind).sort(), [
    'blocked',
    'crash',
    'done',
    'exhausted',
    'failed',
    'shards',
    'stalled',
    'token',
  ]);
  const failed = json.find((b) => b.kind === 'failed');
  t.match(failed?.text, /diagnosis oom-kill: ask for more --mem/, 'the failure carries its diagnosis');
  t.match(failed?.events[0]?.data, {
    index: 0,
    diagnosis: { cause: 'oom-kill', hint: 'ask for more --mem' },
  });
  t.match(json.find((b) => b.kind === 'done')?.text, /#10 \(build_shards\): all 1 task\(s\) done/);
  t.match(json.find((b) => b.kind === 'blocked')?.text, /sbatch refused the resubmission of indices 3/);
  t.match(json.find((b) => b.kind === 'shards')?.text, /holds 12 shards, its target of 12/);
  t.match(
    json.find((b) => b.kind === 'crash')?.text,
    /login-2 \(pid 4242\) stopped without releasing its lease/,
  );

  const slack = rx.got.filter((r) => r.path.startsWith('/slack/'));
  for (const r of slack)
    t.match(JSON.parse(r.body), { text: /^\*#?.+\*\n/ }, 'slack: a text with a bold title');
  t.equal(slack[0]?.headers['content-type'], 'application/json');

  const ntfy = rx.got.filter((r) => r.path.startsWith('/ntfy/'));
  const failedNtfy = ntfy.find((r) => r.headers.tags === 'x');
  t.equal(failedNtfy?.headers.title, '#7: a task failed');
  t.equal(failedNtfy?.headers.priority, 'high');
  t.match(failedNtfy?.body, /task 0: 1234_1: failed/);

  for (const r of rx.got) {
    const all = `${r.body} ${JSON.stringify(r.headers)}`;
    t.notOk(all.includes(HOOK_SECRET), `${r.path.split('/')[1]}: no webhook URL`);
    t.notOk(all.includes('AbCdEf0123456789'), 'no SAS signature');
    t.notOk(all.includes(API_TOKEN), 'no API token');
  }
});

t.test('a target hears only the kinds it asks for', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  const { clock, notifier } = makeNotifier({
    webhooks: [
      { url: rx.url('/all'), format: 'json' },
      { url: rx.url('/crash-only'), format: 'json', events: ['crash'] },
    ],
  });
  await notifier.start();
  t.teardown(() => notifier.stop());
  notifier.source.recorded(decision(1, 1, 'failed', clock.now()));
  notifier.source.crashed({ host: null, pid: null, lastSeenAt: null });
  await until(() => rx.got.length === 3, 'three posts');
  t.same(
    rx.got.filter((r) => r.path === '/crash-only').map((r) => (JSON.parse(r.body) as { kind: string }).kind),
    ['crash'],
  );
  t.equal(rx.got.filter((r) => r.path === '/all').length, 2);
});

t.test('events offered before start() go out once it has started; none after stop()', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  const { clock, notifier } = makeNotifier({ webhooks: [{ url: rx.url('/h') }] });
  notifier.source.crashed({ host: 'login-3', pid: 1, lastSeenAt: clock.now() });
  t.equal(rx.got.length, 0, 'nothing sent before start');
  await notifier.start();
  await until(() => rx.got.length === 1, 'the crash notice');
  await notifier.stop();
  notifier.source.recorded(decision(2, 2, 'failed', clock.now()));
  t.equal(notifier.status()[0]?.queued, 0, 'nothing queued after stop');
});

t.test('test() sends to every target and reports each, naming no webhook URL', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  rx.script.push({ status: 200 }, { status: 403, body: 'forbidden' });
  const { notifier } = makeNotifier({
    webhooks: [
      { url: rx.url(`/ok/${HOOK_SECRET}`), format: 'slack', name: 'team slack' },
      { url: rx.url(`/denied/${HOOK_SECRET}`), format: 'ntfy' },
    ],
    mail: { to: ['alice@example.org'], sendmail: '/nonexistent/sendmail' },
  });
  await notifier.start();
  t.teardown(() => notifier.stop());
  const results = await notifier.test();
  t.equal(results.length, 3);
  t.match(results[0], { target: 'team slack', type: 'webhook', ok: true, error: null });
  t.match(results[1], { target: /^ntfy 127\.0\.0\.1:\d+$/, ok: false, error: /HTTP 403/ });
  t.match(results[2], { target: 'mail to alice@example.org', type: 'mail', ok: false, error: /no sendmail/ });
  t.notMatch(JSON.stringify(results), HOOK_SECRET);
  t.match(JSON.parse(rx.got[0]?.body ?? '{}'), { text: /test notification/ });
});
