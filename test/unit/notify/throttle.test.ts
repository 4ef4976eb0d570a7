// Dedupe and rate limit on a fake clock: one message per submission and kind per window, a digest of the
// rest when the window closes, repeats dropped.
import t from 'tap';
import type { NotifyEvent, NotifyMessage } from '../../../agent/notify/types.js';
import { DIGEST_LIST, Throttle } from '../../../agent/notify/throttle.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const WINDOW = 30 * 60_000;

function setup() {
  const clock = new FakeClock();
  const out: NotifyMessage[] = [];
  const throttle = new Throttle({ clock, windowMs: WINDOW, emit: (m) => out.push(m) });
  const failed = (
    submissionId: number,
    taskId: number,
    level: NotifyEvent['level'] = 'error',
  ): NotifyEvent => ({
    kind: 'failed',
    level,
    submissionId,
    taskId,
    jobId: `99_${taskId}`,
    message: `99_${taskId}: failed`,
    at: clock.now(),
  });
  return { clock, out, throttle, failed };
}

t.test('the first event goes out at once; the rest of the window come as one digest', async (t) => {
  const { clock, out, throttle, failed } = setup();
  throttle.offer(failed(1, 1));
  t.equal(out.length, 1);
  t.match(out[0], { kind: 'failed', digest: false, count: 1, title: '#1: a task failed' });
  for (let i = 2; i <= 40; i++) throttle.offer(failed(1, i, i === 5 ? 'warn' : 'error'));
  t.equal(out.length, 1, 'nothing more inside the window');
  await clock.advance(WINDOW - 1);
  t.equal(out.length, 1);
  await clock.advance(1);
  t.equal(out.length, 2, 'the digest at the end of the window');
  t.match(out[1], {
    kind: 'failed',
    digest: true,
    count: 39,
    level: 'error',
    title: '#1: 39 more: a task failed',
  });
  t.equal(out[1]?.events.length, DIGEST_LIST, 'lists the first few, counts the rest');

  // The digest opened a new window: what comes in it waits for its end.
  throttle.offer(failed(1, 41));
  t.equal(out.length, 2);
  await clock.advance(WINDOW);
  t.match(out[2], { digest: true, count: 1 });
  // A quiet window closes without a message; the next event goes out at once.
  await clock.advance(WINDOW);
  t.equal(out.length, 3);
  throttle.offer(failed(1, 42));
  t.match(out[3], { digest: false, count: 1 });
});

t.test('windows are per submission and per kind', async (t) => {
  const { clock, out, throttle, failed } = setup();
  throttle.offer(failed(1, 1));
  throttle.offer(failed(2, 2));
  throttle.offer({ ...failed(1, 3), kind: 'stalled', level: 'warn' });
  throttle.offer({ kind: 'token', level: 'warn', subject: 'usda-cdl', message: 'a', at: clock.now() });
  throttle.offer({ kind: 'token', level: 'warn', subject: 'landcoverdata/x', message: 'b', at: clock.now() });
  t.equal(out.length, 5, 'each its own first message');
});

t.test('a repeat of the same event within the window is dropped, not digested', async (t) => {
  const { clock, out, throttle, failed } = setup();
  throttle.offer(failed(1, 1));
  throttle.offer(failed(1, 1));
  throttle.offer(failed(1, 1));
  t.equal(throttle.repeatsDropped, 2);
  await clock.advance(WINDOW);
  t.equal(out.length, 1, 'no digest of repeats');
  throttle.offer(failed(1, 1));
  t.equal(out.length, 2, 'after the window the same event is news again');
});

t.test('flush() sends what each window holds as its digest now and cancels the windows', async (t) => {
  const { clock, out, throttle, failed } = setup();
  throttle.offer(failed(1, 1));
  throttle.offer(failed(1, 2));
  throttle.offer(failed(1, 3));
  throttle.offer(failed(2, 4)); // its own window, holding nothing
  t.equal(out.length, 2);
  t.equal(throttle.flush(), 2, 'the events the digests carry');
  t.equal(clock.pending(), 0, 'no timer left');
  t.equal(out.length, 3, 'one digest: an empty window sends nothing');
  t.match(out[2], { kind: 'failed', digest: true, count: 2, title: '#1: 2 more: a task failed' });
  t.same(
    out[2]?.events.map((e) => e.taskId),
    [2, 3],
  );
  t.equal(throttle.flush(), 0, 'nothing twice');
});
