// Mail through a fake sendmail (an executable that writes its argv and stdin to files): found on PATH or at
// the configured path, the message on stdin with its headers, no secret in it; failures reported.
import t from 'tap';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findSendmail } from '../../../agent/notify/sendmail.js';
import { API_TOKEN, decision, makeNotifier } from './harness.js';
import { until } from './receiver.js';

function fakeSendmail(
  dir: string,
  body = 'cat > "$OUT/mail.txt"; printf "%s\\n" "$@" > "$OUT/argv.txt"',
): string {
  const file = path.join(dir, 'sendmail');
  writeFileSync(file, `#!/bin/sh\nOUT=${JSON.stringify(dir)}\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

t.test('found on PATH, else the usual places; a configured path is used only if executable', async (t) => {
  const dir = t.testdir({ bin: {}, empty: {} });
  const bin = path.join(dir, 'bin');
  const file = fakeSendmail(bin);
  t.equal(await findSendmail(undefined, `${path.join(dir, 'empty')}:${bin}`), file);
  t.equal(await findSendmail(file, '/nonexistent'), file);
  t.equal(await findSendmail(path.join(dir, 'empty/sendmail'), bin), null, 'configured but absent: none');
  writeFileSync(path.join(dir, 'plain'), '');
  t.equal(await findSendmail(path.join(dir, 'plain'), bin), null, 'not executable: none');
});

t.test('a failed task by mail: headers, diagnosis, argv, and no secret', async (t) => {
  const dir = t.testdir({ bin: {} });
  const bin = path.join(dir, 'bin');
  fakeSendmail(bin);
  const { clock, tasks, notifier } = makeNotifier(
    { mail: { to: ['alice@example.org', 'bob@example.org'], from: 'agent@example.org' } },
    { searchPath: bin },
  );
  tasks.set(1, {
    index: 3,
    diagnosisCause: 'disk-quota',
    diagnosisHint: 'dusage; clean $USERWORK',
    state: 'failed',
    submissionId: 5,
  });
  await notifier.start();
  t.teardown(() => notifier.stop());
  notifier.source.recorded(
    decision(5, 1, 'failed', clock.now(), `1234_1: failed: token ${API_TOKEN} sig=SECRETSIG123`),
  );
  await until(() => notifier.status()[0]?.sent === 1, 'the mail sent');
  const mail = readFileSync(path.join(bin, 'mail.txt'), 'utf8');
  t.same(readFileSync(path.join(bin, 'argv.txt'), 'utf8').trim().split('\n'), [
    '-i',
    '-f',
    'agent@example.org',
    'alice@example.org',
    'bob@example.org',
  ]);
  t.match(
    mail,
    /^From: agent@example.org\nTo: alice@example.org, bob@example.org\nSubject: \[emb-agent\] #5: a task failed\n/,
  );
  t.match(mail, /\nAuto-Submitted: auto-generated\n\ntask 3: 1234_1: failed/);
  t.match(mail, /diagnosis disk-quota: dusage; clean \$USERWORK/);
  t.notOk(mail.includes(API_TOKEN), 'no API token');
  t.notOk(mail.includes('SECRETSIG123'), 'no signature');
});

t.test('sendmail failing or hanging is reported, retried, and never blocks', async (t) => {
  const dir = t.testdir({ bin: {} });
  const bin = path.join(dir, 'bin');
  const file = fakeSendmail(bin, 'cat > /dev/null; echo "relay refused" >&2; exit 75');
  const { notifier } = makeNotifier({ mail: { to: ['alice@example.org'], sendmail: file } });
  await notifier.start();
  t.teardown(() => notifier.stop());
  const [r] = await notifier.test();
  t.match(r, { type: 'mail', ok: false, error: /exited 75: relay refused/ });

  const hang = fakeSendmail(path.join(dir), 'exec sleep 600');
  const slow = makeNotifier({ mail: { to: ['alice@example.org'], sendmail: hang }, timeoutSeconds: 0.2 });
  await slow.notifier.start();
  t.teardown(() => slow.notifier.stop());
  const [h] = await slow.notifier.test();
  t.match(h, { ok: false, error: /stopped by SIGKILL/ }, 'killed at its time-out');
});

const usualSendmail = ['/usr/sbin/sendmail', '/usr/lib/sendmail'].some((f) => existsSync(f));

t.test(
  'no sendmail on the node: a mail target fails at once, the agent goes on',
  { skip: usualSendmail && 'this machine has a sendmail in a usual place' },
  async (t) => {
    const { clock, notifier } = makeNotifier(
      { mail: { to: ['alice@example.org'] } },
      { searchPath: '/nonexistent' },
    );
    await notifier.start();
    t.teardown(() => notifier.stop());
    notifier.source.recorded(decision(1, 1, 'failed', clock.now()));
    await until(() => notifier.status()[0]?.failed === 1, 'given up');
    t.match(notifier.status()[0]?.lastError, /no sendmail on this node/);
  },
);

t.test('every kind by mail, one message each, none with a secret', async (t) => {
  const dir = t.testdir({ bin: {}, mails: {} });
  const bin = path.join(dir, 'bin');
  fakeSendmail(bin, `cat > "$(mktemp ${path.join(dir, 'mails')}/m.XXXXXX)"`);
  const { clock, tasks, notifier } = makeNotifier(
    { mail: { to: ['alice@example.org'] } },
    { searchPath: bin },
  );
  tasks.set(1, { index: 0, diagnosisCause: null, diagnosisHint: null, state: 'done', submissionId: 3 });
  await notifier.start();
  t.teardown(() => notifier.stop());
  const leak = `sig=SECRETSIG123 ${API_TOKEN}`;
  const src = notifier.source;
  for (const d of ['failed', 'stalled', 'exhausted'])
    src.recorded(decision(10 + d.length, 9, d, clock.now(), `${d} ${leak}`));
  src.recorded(decision(3, 1, 'done', clock.now()));
  src.recorded({
    ...decision(0, 0, 'x', clock.now()),
    kind: 'token-expired',
    submissionId: null,
    taskId: null,
    message: `expired ${leak}`,
    data: { collection: 'usda-cdl' },
  });
  src.shards({ dir: '/s', count: 1, target: 2 });
  src.shards({ dir: '/s', count: 2, target: 2 });
  src.crashed({ host: 'login-2', pid: 1, lastSeenAt: null });
  await clock.advance(2_000);
  await until(() => notifier.status()[0]?.sent === 7, 'seven mails');
  const mails = readdirSync(path.join(dir, 'mails')).map((f) =>
    readFileSync(path.join(dir, 'mails', f), 'utf8'),
  );
  const subjects = mails.map((m) => /^Subject: (.*)$/m.exec(m)?.[1]).sort();
  t.same(subjects, [
    '[emb-agent] #16: a task failed',
    '[emb-agent] #17: a task stalled (no progress)',
    '[emb-agent] #19: a task ran out of attempts',
    '[emb-agent] #3: all tasks done',
    '[emb-agent] /s: shard folder reached its target',
    '[emb-agent] agent: the agent restarted after an unclean stop',
    '[emb-agent] usda-cdl: SAS token could not be refreshed',
  ]);
  for (const m of mails) t.notOk(m.includes('SECRETSIG123') || m.includes(API_TOKEN), 'no secret');
});
