import t from 'tap';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../../agent/clock.js';
import { Diagnoser } from '../../../agent/diagnose/diagnose.js';
import { silentLogger } from '../../../agent/log.js';
import { LogWatch, type LogEvent, type LogWatchOptions } from '../../../agent/logs/log-watch.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function setup(opts: Partial<LogWatchOptions> = {}) {
  const events: LogEvent[] = [];
  const clock = new FakeClock();
  const lw = new LogWatch({
    clock,
    logger: silentLogger(),
    diagnoser: new Diagnoser(),
    onLogEvent: (e) => events.push(e),
    pollSeconds: 30,
    mode: 'poll',
    ...opts,
  });
  return { lw, events, clock };
}

const TIME_LIMIT =
  'slurmstepd: error: *** JOB 1234 ON node1 CANCELLED AT 2026-11-28T12:00:00 DUE TO TIME LIMIT ***';

t.test('checkpoint, progress, diagnosis and end reach the callback; facts are kept per key', async (t) => {
  const dir = t.testdir({ 'build-1234_3.out': '' });
  const log = path.join(dir, 'build-1234_3.out');
  const { lw, events } = setup();
  lw.track('1234_3', [log]);
  await lw.pollOnce();
  t.same(events, [], 'an empty log says nothing');

  appendFileSync(log, 'Wrote shard shard-3-000001.tar\nWrote shard shard-3-000002.tar\n');
  appendFileSync(log, 'ERROR 1: HTTP response code: 502\nERROR 1: HTTP response code: 502\n');
  await lw.pollOnce();
  t.same(
    events.map((e) => e.kind),
    ['progress', 'diagnosis'],
    'one progress event per batch; one diagnosis per cause',
  );
  t.equal(events[1]?.diagnosis?.cause, 'http-502');

  appendFileSync(
    log,
    'Received SIGTERM, saving checkpoint\nCheckpoint saved to state/worker3.pt\n' + TIME_LIMIT + '\n',
  );
  await lw.pollOnce();
  t.same(
    events.slice(2).map((e) => e.kind),
    ['checkpoint', 'diagnosis', 'end'],
    'the checkpoint comes before the end',
  );
  t.equal(events.at(-1)?.key, '1234_3');
  t.equal(events.at(-1)?.path, log);
  t.match(events.at(-1)?.line, /DUE TO TIME LIMIT/);

  const st = lw.status('1234_3');
  t.equal(st?.checkpointSeen, true);
  t.equal(st?.progressLines, 2);
  t.equal(st?.diagnosis?.cause, 'time-limit', 'the time limit outranks the transient 502');
  t.match(st?.endLine, /CANCELLED/);
  const size = Buffer.byteLength(readFileSync(log, 'utf8'));
  t.ok(
    (st?.bytesRead ?? 0) >= size && (st?.bytesRead ?? 0) <= size + 16,
    'bytes read: the log once, plus signatures',
  );
  t.equal(st?.tracking, true);
});

t.test('an end line without "DUE TO" and a custom checkpoint regex', async (t) => {
  const dir = t.testdir({ 'a.out': '' });
  const log = path.join(dir, 'a.out');
  const { lw, events } = setup();
  lw.track('9_1', [log], { checkpointRegex: /STATE DUMPED/g });
  appendFileSync(
    log,
    'epoch 3\nSTATE DUMPED\nSTATE DUMPED\nslurmstepd: error: *** JOB 9 ON n1 CANCELLED AT 2026-11-28T12:00:00 ***\n',
  );
  await lw.pollOnce();
  t.same(
    events.map((e) => e.kind),
    ['checkpoint', 'progress', 'diagnosis', 'end'],
  );
  t.equal(lw.status('9_1')?.progressLines, 1, '"epoch 3" is progress by the default rule');
  t.equal(lw.status('9_1')?.diagnosis?.cause, 'cancelled');
});

t.test('the default checkpoint marker ignores loading a checkpoint', async (t) => {
  const dir = t.testdir({
    'a.out': 'Resuming from checkpoint outputs/runs/x/last.pt\nLoading checkpoint shard-3.state\n',
  });
  const { lw } = setup();
  lw.track('k', [path.join(dir, 'a.out')]);
  await lw.pollOnce();
  t.equal(lw.status('k')?.checkpointSeen, false);
});

t.test('the timer drives cycles with the injected clock, and stop() ends them', async (t) => {
  const dir = t.testdir({ 'a.out': '' });
  const log = path.join(dir, 'a.out');
  let resolveSeen: () => void = () => {};
  const seen = new Promise<void>((r) => (resolveSeen = r));
  const { lw, clock } = setup({ onLogEvent: (e) => e.kind === 'end' && resolveSeen() });
  lw.track('k', [log]);
  await lw.start();
  await clock.advance(0);
  appendFileSync(log, TIME_LIMIT + '\n');
  // Keep moving time until the first cycle has finished and the next one sees the line.
  for (let i = 0; i < 200; i++) {
    const done = await Promise.race([
      seen.then(() => true),
      new Promise<boolean>((r) => setImmediate(() => r(false))),
    ]);
    if (done) break;
    await clock.advance(30_000);
  }
  await seen;
  await lw.stop();
  t.equal(clock.pending(), 0, 'no timer left after stop');
});

t.test('flush reads to the end, including a last line without a newline', async (t) => {
  const dir = t.testdir({ 'a.out': '' });
  const log = path.join(dir, 'a.out');
  const { lw, events } = setup({ maxBytesPerCycle: 1024 });
  lw.track('k', [log]);
  writeFileSync(log, 'x'.repeat(100).concat('\n').repeat(200) + 'OSError: [Errno 122] Disk quota exceeded');
  await lw.pollOnce();
  t.ok((lw.status('k')?.bytesRead ?? 0) < 20_200, 'a cycle reads a bounded amount');
  const st = await lw.flush('k');
  t.equal(st.diagnosis?.cause, 'disk-quota');
  t.equal(events.at(-1)?.diagnosis?.cause, 'disk-quota');
});

t.test('tail serves only tracked keys, scrubbed, and survives untrack until forgotten', async (t) => {
  const dir = t.testdir({
    'out.log': 'reading https://x.blob.core.windows.net/c/a.tif?se=2026&sig=TOPSECRET%3D\nlast line\n',
    'err.log': 'boom\n',
  });
  const { lw } = setup();
  const out = path.join(dir, 'out.log');
  const err = path.join(dir, 'err.log');
  lw.track('k', [out]);
  const text = await lw.tail('k', 4096);
  t.notMatch(text, /TOPSECRET/);
  t.match(text, /last line/);
  t.equal(await lw.tail('k', 10), 'last line', 'a cut first line is dropped');
  lw.track('k', [err]);
  t.match(await lw.tail('k', 4096), /==> .*out\.log <==[\s\S]*==> .*err\.log <==\nboom/);
  lw.untrack('k');
  t.equal(lw.status('k')?.tracking, false);
  t.match(await lw.tail('k', 4096), /boom/, 'an ended task can still be tailed');
  lw.forget('k');
  await t.rejects(lw.tail('k', 100), { code: 'AGENT_ERR_NOT_TRACKED' });
  await t.rejects(lw.tail('../../etc/passwd', 100), { code: 'AGENT_ERR_NOT_TRACKED' });
  await t.rejects(lw.flush('nope'), { code: 'AGENT_ERR_NOT_TRACKED' });
});

t.test('untracked keys are not read and retention is bounded', async (t) => {
  const dir = t.testdir({ 'a.out': '' });
  const log = path.join(dir, 'a.out');
  const { lw, events } = setup({ retainKeys: 2 });
  lw.track('k', [log]);
  lw.untrack('k');
  appendFileSync(log, TIME_LIMIT + '\n');
  await lw.pollOnce();
  t.same(events, []);
  for (const k of ['a', 'b', 'c']) {
    lw.track(k, [log]);
    lw.untrack(k);
  }
  t.equal(lw.status('k'), null, 'the oldest untracked key was dropped');
  t.ok(lw.status('c'));
  t.same(lw.trackedKeys(), []);
});

t.test('a log that does not exist yet is reported missing, then read', async (t) => {
  const dir = t.testdir({});
  const log = path.join(dir, 'later.out');
  const { lw } = setup();
  lw.track('k', [log]);
  await lw.pollOnce();
  t.same(lw.status('k')?.missing, [log]);
  writeFileSync(log, 'epoch 1\n');
  await lw.pollOnce();
  t.same(lw.status('k')?.missing, []);
  t.equal(lw.status('k')?.progressLines, 1);
});

t.test('a failing event handler does not stop the watch', async (t) => {
  const dir = t.testdir({ 'a.out': 'epoch 1\n' });
  const { lw } = setup({
    onLogEvent: () => {
      throw new Error('handler bug');
    },
  });
  lw.track('k', [path.join(dir, 'a.out')]);
  await lw.pollOnce();
  t.equal(lw.status('k')?.progressLines, 1);
});

t.test('events mode reads on change without waiting for a poll', async (t) => {
  const dir = t.testdir({});
  const log = path.join(dir, 'ev.out');
  let resolveEnd: (e: LogEvent) => void = () => {};
  const ended = new Promise<LogEvent>((r) => (resolveEnd = r));
  const lw = new LogWatch({
    clock: systemClock,
    logger: silentLogger(),
    diagnoser: new Diagnoser(),
    onLogEvent: (e) => e.kind === 'end' && resolveEnd(e),
    pollSeconds: 3600,
    mode: 'events',
  });
  // The watcher and the agent's timers do not hold the process open (the HTTP server does, in the agent).
  const keepAlive = setTimeout(() => {}, 60_000);
  t.teardown(() => clearTimeout(keepAlive));
  await lw.start();
  lw.track('k', [log]);
  // Give chokidar a moment to set up its watch, then create the file; the hour-long poll never fires.
  await new Promise((r) => setTimeout(r, 300));
  writeFileSync(log, 'started\n');
  await new Promise((r) => setTimeout(r, 300));
  appendFileSync(log, TIME_LIMIT + '\n');
  const e = await ended;
  t.equal(e.key, 'k');
  await lw.stop();
});

t.test('a new attempt appending to the same log starts where the previous one stopped', async (t) => {
  const dir = t.testdir({ 'shared.out': 'attempt 1: Received SIGTERM, saving checkpoint\n' });
  const log = path.join(dir, 'shared.out');
  const { lw } = setup();
  lw.track('1_0', [log]);
  await lw.pollOnce();
  const first = lw.status('1_0');
  t.equal(first?.checkpointSeen, true);
  lw.untrack('1_0');
  appendFileSync(log, 'attempt 2: epoch 1\n');
  lw.track('2_0', [log], { startAt: first?.offsets[log] });
  await lw.pollOnce();
  const second = lw.status('2_0');
  t.equal(second?.checkpointSeen, false, "attempt 1's checkpoint is not attempt 2's");
  t.equal(second?.progressLines, 1);
});

t.test('awaited logs of pending tasks are followed from their creation, several in one folder', async (t) => {
  const dir = t.testdir({});
  const { lw, events } = setup({ mode: 'events' });
  const logs = [0, 1, 2].map((i) => path.join(dir, `b-9_${i}.out`));
  logs.forEach((log, i) => lw.expect(`9_${i}`, [log]));
  await lw.pollOnce();
  t.same(lw.trackedKeys(), [], 'nothing is read before Slurm creates the logs');
  t.equal(lw.expectedCount(), 3);
  for (const log of logs) writeFileSync(log, 'Received SIGTERM, saving checkpoint\n');
  await lw.pollOnce();
  t.same(lw.trackedKeys().sort(), ['9_0', '9_1', '9_2']);
  t.same(
    events.map((e) => `${e.key} ${e.kind}`).sort(),
    ['9_0 checkpoint', '9_1 checkpoint', '9_2 checkpoint'],
    'each log is read in the cycle that finds it',
  );
  lw.expect('9_3', [path.join(dir, 'b-9_3.out')]);
  lw.untrack('9_3');
  t.equal(lw.expectedCount(), 0, 'untrack ends the wait');
  await lw.stop();
});
