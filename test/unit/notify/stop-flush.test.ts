// Stopping sends the digests the throttle's windows hold instead of dropping them, and waits for them at
// most one send's time-out: a hanging target does not hold the agent's stop up for longer.
import t from 'tap';
import { failedEvent, makeNotifier } from './harness.js';
import { Receiver, until } from './receiver.js';

t.test('a digest held when the agent stops is sent before the stop ends', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  const { clock, notifier } = makeNotifier({
    webhooks: [{ url: rx.url('/h'), format: 'json' }],
    windowMinutes: 1440,
  });
  await notifier.start();
  for (const task of [1, 2, 3]) notifier.offer(failedEvent(1, task, clock.now()));
  await until(() => rx.got.length === 1, 'the first event at once; the others held for the digest');
  await notifier.stop();
  t.equal(rx.got.length, 2, 'the digest went out during the stop');
  t.match(JSON.parse(rx.got[1]?.body ?? '{}'), { kind: 'failed', digest: true, count: 2 });
  t.match(notifier.status()[0], { sent: 2, failed: 0, queued: 0 });
});

t.test('nothing held: stopping waits for no target', async (t) => {
  const dead = await Receiver.start();
  dead.hang = true;
  t.teardown(() => dead.close());
  const { clock, notifier } = makeNotifier({ webhooks: [{ url: dead.url('/d') }], timeoutSeconds: 600 });
  await notifier.start();
  notifier.offer(failedEvent(1, 1, clock.now()));
  await until(() => dead.got.length === 1, 'the hanging request');
  const started = Date.now();
  await notifier.stop();
  t.ok(Date.now() - started < 1_000, 'no grace without a held digest');
});

t.test("a hanging target holds the stop at most one send's time-out", async (t) => {
  const dead = await Receiver.start();
  dead.hang = true;
  t.teardown(() => dead.close());
  const { clock, notifier } = makeNotifier({
    webhooks: [{ url: dead.url('/d') }],
    timeoutSeconds: 1,
    windowMinutes: 1440,
  });
  await notifier.start();
  notifier.offer(failedEvent(1, 1, clock.now()));
  notifier.offer(failedEvent(1, 2, clock.now()));
  await until(() => dead.got.length === 1, 'the first request hangs');
  const started = Date.now();
  await notifier.stop();
  const took = Date.now() - started;
  t.ok(took >= 900 && took < 2_500, `stopped after the 1 s grace (${took} ms)`);
  t.match(notifier.status()[0], { queued: 0 });
});
