// The tracker against the real adapter with fake scheduler executables: one squeue and one sacct per
// cycle whatever the number of tasks, none while idle, and garbage output changes nothing.
import t, { type Test } from 'tap';
import path from 'node:path';
import { openDatabase } from '../../../agent/db/open.js';
import { createRepos, type Repos } from '../../../agent/db/repos/index.js';
import { silentLogger } from '../../../agent/log.js';
import { SlurmAdapter } from '../../../agent/slurm/adapter.js';
import { NUDGE_GAP_MS, Tracker } from '../../../agent/tracker/tracker.js';
import type { AttemptRow } from '../../../agent/db/repos/index.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { FakeSlurm } from '../../helpers/fake-slurm.js';
import { seedArray } from '../../helpers/seed-array.js';
import { TaskLife } from '../../../agent/tasks/life.js';

const US = '\x1f';
const sacctRow = (id: string, raw: string, state: string, start = '1795870823', end = 'Unknown') =>
  [
    id,
    raw,
    'build',
    state,
    '0:0',
    '1795870800',
    start,
    end,
    '12',
    '60',
    '/w',
    '',
    state === 'PENDING' ? 'None assigned' : 'vm',
    'sbatch --array=0-9%2 b.sbatch',
  ].join(US);
const squeueRow = (
  id: string,
  arr: string,
  task: string,
  raw: string,
  state: string,
  start = '1795870823',
  end = 'N/A',
) =>
  [
    id,
    raw,
    arr,
    task,
    'alice',
    'build',
    state,
    'None',
    '0',
    '1795870800',
    start,
    end,
    '1:00:00',
    '0:12',
    '/w',
    '/w/logs/%x_%A_%a.out',
    '/w/logs/%x_%A_%a.out',
    '(null)',
    state === 'PENDING' ? '' : 'vm',
    '',
  ].join(US);

function setup(t: Test) {
  const dir = t.testdir();
  const fake = new FakeSlurm(dir);
  const { db } = openDatabase(path.join(dir, 'agent.db'), { journal: 'wal' });
  t.teardown(() => db.close());
  const repos = createRepos(db);
  const clock = new FakeClock(1_795_870_900_000);
  const ended: AttemptRow[] = [];
  const tracker = new Tracker({
    repos,
    life: new TaskLife({ repos, clock, logger: silentLogger() }),
    scheduler: new SlurmAdapter({ timeoutMs: 5000, binDir: dir, user: 'alice', logger: silentLogger() }),
    clock,
    logger: silentLogger(),
    pollMs: 60_000,
    hooks: { onEnded: async (a) => void ended.push(...a), onLogsKnown: () => undefined },
  });
  return { fake, repos, tracker, ended, clock };
}

function track(repos: Repos, arrayId: string, n: number): void {
  seedArray(repos, {
    firstJobId: arrayId,
    n,
    args: ['--array=0-9%2', 'b.sbatch'],
    arraySpec: `0-${n - 1}%2`,
    throttle: 2,
  });
}

const count = (fake: FakeSlurm, cmd: string) => fake.calls().filter((c) => c[0] === cmd).length;

t.test('no scheduler call at all while nothing is live', async (t) => {
  const { fake, tracker } = setup(t);
  fake.set('squeue', { stdout: '' });
  fake.set('sacct', { stdout: '' });
  await tracker.cycle();
  await tracker.cycle();
  t.same(fake.calls(), []);
});

t.test(
  'one squeue and one sacct per cycle for 1,000 tasks; states, log paths and the remainder',
  async (t) => {
    const { fake, repos, tracker, ended } = setup(t);
    track(repos, '86', 1000);
    fake.set('squeue', {
      stdout:
        [
          squeueRow('86_0', '86', '0', '91', 'RUNNING'),
          squeueRow('86_[2-999%2]', '86', 'N/A', '86', 'PENDING'),
        ].join('\n') + '\n',
    });
    fake.set('sacct', {
      stdout:
        [
          sacctRow('86_0', '91', 'RUNNING'),
          sacctRow('86_1', '92', 'COMPLETED', '1795870823', '1795870850'),
          sacctRow('86_[2-999%2]', '86', 'PENDING', 'Unknown'),
        ].join('\n') + '\n',
    });
    await tracker.cycle();
    t.equal(count(fake, 'squeue'), 1);
    t.equal(count(fake, 'sacct'), 1);
    t.equal(fake.calls().length, 2, 'nothing else');
    const a0 = repos.attempts.byJobId('86_0');
    t.equal(a0?.slurmState, 'RUNNING');
    t.equal(a0?.stdoutPath, '/w/logs/build_86_0.out', 'the log path pattern is expanded');
    t.equal(repos.tasks.find(1, 0)?.state, 'running');
    t.equal(repos.attempts.byJobId('86_500')?.slurmState, 'PENDING', 'the pending remainder covers 2-999');
    t.equal(a0?.node, 'vm', 'the node it runs on');
    t.equal(repos.attempts.byJobId('86_1')?.node, 'vm', 'from sacct alone once squeue has forgotten it');
    t.equal(repos.attempts.byJobId('86_500')?.node, null, 'a pending task has no node');
    t.same(
      ended.map((a) => a.jobId),
      ['86_1'],
      'the ended task goes to the resume engine',
    );
    t.equal(repos.attempts.live().length, 999);
  },
);

t.test('garbage from the scheduler: logged, the cycle skipped, nothing changed', async (t) => {
  const { fake, repos, tracker, ended } = setup(t);
  track(repos, '86', 3);
  const before = JSON.stringify(repos.attempts.live());
  fake.set('squeue', { stdout: squeueRow('86_0', '86', '0', '91', 'RUNNING') + '\n' });
  for (const garbage of ['<html>502 Bad Gateway</html>\n', `86_0${US}91\n`, '\u0000\u0001\u0002 binary\n']) {
    fake.set('sacct', { stdout: garbage });
    await tracker.cycle();
    t.equal(JSON.stringify(repos.attempts.live()), before, `nothing changed for ${JSON.stringify(garbage)}`);
    t.ok(tracker.status().lastError, 'the error is kept for health');
  }
  t.same(ended, []);
  fake.set('sacct', { stderr: 'sacct: error: slurmdbd: Socket timed out on send/recv operation\n', exit: 1 });
  await tracker.cycle();
  t.equal(JSON.stringify(repos.attempts.live()), before, 'a scheduler time-out changes nothing either');
  t.equal(repos.tasks.bySubmission(1).filter((x) => x.state === 'failed').length, 0, 'and fails no task');
});

t.test(
  "squeue's projected start of a pending task and end of a running one are never recorded",
  async (t) => {
    const { fake, repos, tracker } = setup(t);
    track(repos, '86', 2);
    fake.set('squeue', {
      stdout:
        [
          squeueRow('86_0', '86', '0', '91', 'RUNNING', '1795870823', '1795874423'),
          squeueRow('86_1', '86', '1', '92', 'PENDING', '1795874423', '1795878023'),
        ].join('\n') + '\n',
    });
    fake.set('sacct', { stdout: sacctRow('86_0', '91', 'RUNNING') + '\n' });
    await tracker.cycle();
    const a0 = repos.attempts.byJobId('86_0');
    t.equal(a0?.startedAt, 1795870823, 'a running task started');
    t.equal(a0?.endedAt, null, 'its EndTime is a projection');
    t.equal(repos.attempts.byJobId('86_1')?.startedAt, null, "a pending task's StartTime is a projection");
  },
);

t.test(
  "an end squeue shows before sacct waits for sacct's record (who cancelled), but not forever",
  async (t) => {
    const { fake, repos, tracker, ended, clock } = setup(t);
    track(repos, '86', 2);
    fake.set('squeue', {
      stdout:
        [
          squeueRow('86_0', '86', '0', '91', 'CANCELLED', '1795870823', '1795870850'),
          squeueRow('86_1', '86', '1', '92', 'COMPLETED', '1795870823', '1795870850'),
        ].join('\n') + '\n',
    });
    fake.set('sacct', {
      stdout: [sacctRow('86_0', '91', 'RUNNING'), sacctRow('86_1', '92', 'RUNNING')].join('\n') + '\n',
    });
    await tracker.cycle();
    t.same(ended, [], 'slurmdbd has not recorded either end: nothing is decided yet');
    t.equal(repos.attempts.byJobId('86_0')?.ended, false);
    fake.set('sacct', {
      stdout:
        [
          sacctRow('86_0', '91', 'CANCELLED by 1001', '1795870823', '1795870850'),
          sacctRow('86_1', '92', 'RUNNING'),
        ].join('\n') + '\n',
    });
    await clock.advance(3_000);
    await tracker.cycle();
    t.same(
      ended.map((a) => [a.jobId, a.stateDetail]),
      [['86_0', 'by 1001']],
      "decided with sacct's canceller once it has the end",
    );
    await clock.advance(30_000);
    await tracker.cycle();
    t.same(
      ended.map((a) => a.jobId),
      ['86_0', '86_1'],
      'an end sacct never records is taken from squeue after the wait',
    );
  },
);

/** Waits (briefly, in real time) for the fake scheduler's processes of a cycle the clock started. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

t.test('nudges: a cycle soon after, at most one per gap, none when idle', async (t) => {
  const { fake, repos, tracker, clock } = setup(t);
  fake.set('squeue', { stdout: squeueRow('86_0', '86', '0', '91', 'PENDING') + '\n' });
  fake.set('sacct', { stdout: sacctRow('86_0', '91', 'PENDING', 'Unknown') + '\n' });
  tracker.start();
  t.teardown(() => tracker.stop());
  await tracker.refresh();
  t.same(fake.calls(), [], 'idle: refresh asks nothing');
  track(repos, '86', 1);
  await tracker.refresh();
  const cycles = tracker.status().cycles;
  const calls = fake.calls().length;
  tracker.nudge();
  tracker.nudge();
  tracker.nudge();
  t.equal(fake.calls().length, calls, 'not at once after a cycle');
  await clock.advance(NUDGE_GAP_MS);
  await until(() => tracker.status().cycles > cycles);
  t.equal(tracker.status().cycles, cycles + 1, 'one cycle for three nudges, a gap after the last');
  t.equal(fake.calls().length, calls + 2, 'one squeue and one sacct');
  await clock.advance(NUDGE_GAP_MS);
  tracker.nudge();
  await until(() => tracker.status().cycles > cycles + 1);
  t.equal(tracker.status().cycles, cycles + 2, 'a nudge a gap after the last cycle runs one at once');
});
