// Recorded events as notifications: which decisions notify, a submission announced done once when all its
// tasks are, token failures (not recoveries), what blocks until a person acts, a shard folder crossing its
// target, an unclean start.
import t from 'tap';
import { NotifySource, type RecordedEvent } from '../../../agent/notify/from-events.js';
import type { NotifyEvent } from '../../../agent/notify/types.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function setup() {
  const clock = new FakeClock();
  const got: NotifyEvent[] = [];
  const states = new Map<number, string>([
    [1, 'done'],
    [2, 'running'],
  ]);
  let lookups = 0;
  const source = new NotifySource({
    clock,
    offer: (e) => got.push(e),
    lookups: {
      task: (id) => ({
        index: id * 10,
        diagnosisCause: id === 2 ? 'cuda-oom' : null,
        diagnosisHint: 'smaller batch',
      }),
      submission: () => {
        lookups++;
        return { name: 'train', states: [...states.values()] };
      },
    },
  });
  const ev = (
    kind: string,
    data: Record<string, unknown> | null,
    over: Partial<RecordedEvent> = {},
  ): RecordedEvent => ({
    at: clock.now(),
    level: 'info',
    kind,
    submissionId: 4,
    taskId: 2,
    jobId: '77_2',
    message: `77_2: ${String(data?.decision ?? kind)}`,
    data,
    ...over,
  });
  return { clock, got, states, source, ev, lookups: () => lookups };
}

t.test(
  'only failed, stalled and exhausted decisions notify; the diagnosis comes from the task',
  async (t) => {
    const { got, source, ev } = setup();
    for (const d of ['resume', 'held', 'done', 'failed', 'stalled', 'exhausted'])
      source.recorded(ev('decision', { decision: d }));
    source.recorded(ev('task.state', null));
    source.recorded(ev('steering', null));
    t.same(
      got.map((e) => e.kind),
      ['failed', 'stalled', 'exhausted'],
    );
    t.match(got[0], {
      submissionId: 4,
      taskId: 2,
      jobId: '77_2',
      message: 'task 20: 77_2: failed',
      data: { index: 20, diagnosis: { cause: 'cuda-oom', hint: 'smaller batch' } },
    });
  },
);

t.test('all tasks done: announced once, after a burst of decisions, with one look', async (t) => {
  const { clock, got, states, source, ev, lookups } = setup();
  source.recorded(ev('decision', { decision: 'done' }));
  await clock.advance(2_000);
  t.equal(got.length, 0, 'not while a task still runs');
  states.set(2, 'done');
  for (let i = 0; i < 50; i++) source.recorded(ev('decision', { decision: 'done' }));
  await clock.advance(2_000);
  t.equal(lookups(), 2, 'one look per burst');
  t.match(got, [{ kind: 'done', submissionId: 4, message: 'submission #4 (train): all 2 task(s) done' }]);
  source.recorded(ev('decision', { decision: 'done' }));
  await clock.advance(2_000);
  t.equal(got.length, 1, 'once');
  source.stop();
});

t.test('token failures notify per collection; a recovery does not', async (t) => {
  const { got, source, ev } = setup();
  const tok = (kind: string) =>
    ev(kind, { collection: 'usda-cdl' }, { submissionId: null, taskId: null, jobId: null, level: 'error' });
  for (const k of [
    'token-refresh-failing',
    'token-refresh-refused',
    'token-expired',
    'token-recovered',
    'token-short-lifetime',
  ])
    source.recorded(tok(k));
  t.same(
    got.map((e) => [e.kind, e.subject, e.data?.event]),
    [
      ['token', 'usda-cdl', 'token-refresh-failing'],
      ['token', 'usda-cdl', 'token-refresh-refused'],
      ['token', 'usda-cdl', 'token-expired'],
    ],
  );
});

t.test('what only a person can get past notifies as blocked; a retry or an unblock does not', async (t) => {
  const { got, source, ev } = setup();
  for (const k of ['resume.rejected', 'submit.lost', 'wait.blocked', 'wait.refused'])
    source.recorded(ev(k, null, { level: 'error' }));
  for (const k of ['resume.retry', 'wait.unblocked', 'wait.released', 'resume.submitted'])
    source.recorded(ev(k, null, { level: 'error' }));
  source.recorded(ev('wait.blocked', null, { level: 'info' }));
  t.same(
    got.map((e) => [e.kind, e.data?.event, e.level]),
    [
      ['blocked', 'resume.rejected', 'error'],
      ['blocked', 'submit.lost', 'error'],
      ['blocked', 'wait.blocked', 'error'],
      ['blocked', 'wait.refused', 'error'],
      ['blocked', 'wait.blocked', 'warn'],
    ],
  );
  t.match(got[0], { submissionId: 4, jobId: '77_2', message: '77_2: resume.rejected' });
});

t.test('a shard folder reaching its target: once per crossing, not on first sight', async (t) => {
  const { got, source } = setup();
  source.shards({ dir: '/a', count: 100, target: 100 });
  source.shards({ dir: '/b', count: 5, target: null });
  source.shards({ dir: '/c', count: 10, target: 12 });
  source.shards({ dir: '/c', count: 11, target: 12 });
  source.shards({ dir: '/c', count: 13, target: 12 });
  source.shards({ dir: '/c', count: 14, target: 12 });
  t.same(
    got.map((e) => e.subject),
    ['/c'],
    'the complete-at-start /a and the target-less /b are quiet',
  );
  source.shards({ dir: '/c', count: 0, target: 12 });
  source.shards({ dir: '/c', count: 12, target: 12 });
  t.equal(got.length, 2, 'a rebuilt folder is announced again');
});

t.test('an unclean start names the previous holder', async (t) => {
  const { got, source } = setup();
  source.crashed({ host: 'login-2', pid: 77, lastSeenAt: Date.UTC(2026, 0, 1) });
  t.match(got[0], {
    kind: 'crash',
    level: 'warn',
    message: /login-2 \(pid 77\) stopped without releasing its lease, last seen 2026-01-01T00:00:00.000Z/,
  });
});

t.test(
  'a target reached while the agent was down is announced once; one complete before is not',
  async (t) => {
    const clock = new FakeClock();
    const got: NotifyEvent[] = [];
    const stored = new Map([
      ['/reached-while-down', 90],
      ['/complete-before', 100],
    ]);
    const source = new NotifySource({
      clock,
      offer: (e) => got.push(e),
      lookups: {
        task: () => undefined,
        submission: () => undefined,
        shardCountBefore: (dir) => stored.get(dir) ?? null,
      },
    });
    for (const dir of ['/reached-while-down', '/complete-before', '/never-seen']) {
      source.shards({ dir, count: 100, target: 100 });
      source.shards({ dir, count: 101, target: 100 });
    }
    t.same(
      got.map((e) => e.subject),
      ['/reached-while-down'],
    );
  },
);
