// Delivery with retry and back-off on a fake clock, against a real local HTTP server: 5xx and 429 are
// retried after the policy's (or Retry-After's) wait, other 4xx given up, a full queue drops its oldest and
// says so, and a dead or hanging webhook never holds up the agent or the other targets.
import t from 'tap';
import { Receiver, until } from './receiver.js';
import { failedEvent, makeNotifier } from './harness.js';
import type { FakeClock } from '../../helpers/fake-clock.js';

/** A retry's timer is set (the throttle's windows, a day long here, are due much later). */
function retryArmed(clock: FakeClock): boolean {
  const due = clock.nextDue();
  return due !== null && due - clock.now() <= 5 * 60_000;
}

t.test('a 5xx is retried with doubling back-off until it gets through', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  rx.script.push({ status: 500 }, { status: 502 }, { status: 503 });
  const { clock, notifier } = makeNotifier({
    webhooks: [{ url: rx.url('/h') }],
    retries: 5,
    windowMinutes: 1440,
  });
  await notifier.start();
  t.teardown(() => notifier.stop());
  notifier.offer(failedEvent(1, 1, clock.now()));
  await until(() => rx.got.length === 1 && retryArmed(clock), 'the first try and its retry timer');
  // random() = 0: no jitter, so the waits are 5 s, 10 s, 20 s.
  for (const [wait, tries] of [
    [5_000, 2],
    [10_000, 3],
    [20_000, 4],
  ] as const) {
    await clock.advance(wait - 1);
    t.equal(rx.got.length, tries - 1, `not before ${wait} ms`);
    await clock.advance(1);
    await until(() => rx.got.length === tries, `try ${tries}`);
    await until(() => retryArmed(clock) === tries < 4, 'the next timer (or none)');
  }
  t.match(notifier.status()[0], { sent: 1, failed: 0, queued: 0 });
  t.same(new Set(rx.got.map((r) => r.body)).size, 1, 'the same message each time');
});

t.test('429 waits as long as Retry-After asks; a 404 is given up at once', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  rx.script.push({ status: 429, headers: { 'retry-after': '60' } }, { status: 200 }, { status: 404 });
  const { clock, notifier } = makeNotifier({ webhooks: [{ url: rx.url('/h') }], windowMinutes: 1440 });
  await notifier.start();
  t.teardown(() => notifier.stop());
  notifier.offer(failedEvent(1, 1, clock.now()));
  await until(() => rx.got.length === 1 && retryArmed(clock), 'the 429');
  await clock.advance(59_999);
  t.equal(rx.got.length, 1, 'not before the asked minute');
  await clock.advance(1);
  await until(() => rx.got.length === 2, 'the retry');
  await until(() => notifier.status()[0]?.sent === 1, 'sent');
  notifier.offer(failedEvent(2, 2, clock.now()));
  await until(() => notifier.status()[0]?.failed === 1, 'the 404 given up');
  t.equal(rx.got.length, 3, 'no retry of a 404');
  t.notOk(retryArmed(clock), 'no retry pending');
  t.match(notifier.status()[0]?.lastError, /HTTP 404/);
});

t.test('retries end after notify.retries', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  rx.script.push({ status: 500 }, { status: 500 }, { status: 500 });
  const { clock, notifier } = makeNotifier({
    webhooks: [{ url: rx.url('/h') }],
    retries: 2,
    windowMinutes: 1440,
  });
  await notifier.start();
  t.teardown(() => notifier.stop());
  notifier.offer(failedEvent(1, 1, clock.now()));
  for (let i = 1; i <= 3; i++) {
    await until(() => rx.got.length === i && retryArmed(clock) === i < 3, `try ${i}`);
    if (i < 3) await clock.runNext();
  }
  await until(() => notifier.status()[0]?.failed === 1, 'given up');
  t.equal(rx.got.length, 3, 'one try and two retries');
  t.match(notifier.status()[0], { sent: 0, failed: 1 });
});

t.test(
  'a dead webhook never blocks: offer returns at once, its queue drops its oldest, others still hear',
  async (t) => {
    const dead = await Receiver.start();
    dead.hang = true;
    const live = await Receiver.start();
    t.teardown(() => live.close());
    t.teardown(() => dead.close());
    const { clock, notifier } = makeNotifier({
      webhooks: [
        { url: dead.url('/dead'), name: 'dead' },
        { url: live.url('/live'), name: 'live' },
      ],
      queueSize: 3,
      timeoutSeconds: 600,
    });
    await notifier.start();
    // 10 submissions, each its own first message: the hanging target holds the first and queues the rest.
    for (let s = 1; s <= 10; s++) {
      notifier.offer(failedEvent(s, s, clock.now()));
      await until(() => live.got.length === s, `the live target hears #${s}`);
    }
    await until(() => dead.got.length === 1, 'the dead one the first');
    t.match(notifier.status(), [
      { target: 'dead', queued: 3, dropped: 6, sent: 0 },
      { target: 'live', queued: 0, dropped: 0, sent: 10 },
    ]);
    // Stopping does not wait for the hanging request (its time-out is 10 minutes).
    await notifier.stop();
    t.match(notifier.status()[0], { queued: 0, failed: 1 });
  },
);

t.test('the drop count is told in the next message that gets through', async (t) => {
  const rx = await Receiver.start();
  t.teardown(() => rx.close());
  rx.script.push({ status: 500 });
  const { clock, notifier } = makeNotifier({
    webhooks: [{ url: rx.url('/h') }],
    queueSize: 2,
    windowMinutes: 1440,
  });
  await notifier.start();
  t.teardown(() => notifier.stop());
  for (let s = 1; s <= 5; s++) notifier.offer(failedEvent(s, s, clock.now()));
  await until(() => rx.got.length === 1 && retryArmed(clock), 'the first try failed');
  t.match(notifier.status()[0], { queued: 2, dropped: 2 });
  await clock.advance(5_000);
  await until(() => notifier.status()[0]?.sent === 3, 'the rest delivered');
  const bodies = rx.got.map((r) => JSON.parse(r.body) as { note?: string });
  t.match(bodies[1]?.note, /2 earlier notification\(s\) were dropped/);
  t.notOk(bodies[2]?.note, 'said once');
});
