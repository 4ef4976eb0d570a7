// The resume engine on an injected clock, with the real adapter in front of fake scheduler executables:
// resumes batch into one sbatch per window, the budget holds, time-outs are looked up before a resend,
// and refusals stop the task with sbatch's own words.
import t, { type Test } from 'tap';
import path from 'node:path';
import { openDatabase } from '../../../agent/db/open.js';
import { createRepos, type Repos } from '../../../agent/db/repos/index.js';
import { silentLogger } from '../../../agent/log.js';
import { ResumeEngine } from '../../../agent/resume/engine.js';
import { IntentExecutor } from '../../../agent/resume/executor.js';
import { SlurmAdapter } from '../../../agent/slurm/adapter.js';
import { GetentUserNames } from '../../../agent/slurm/user-names.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { FakeSlurm } from '../../helpers/fake-slurm.js';
import { seedArray } from '../../helpers/seed-array.js';
import { TaskLife } from '../../../agent/tasks/life.js';
import { Diagnoser } from '../../../agent/diagnose/diagnose.js';

function setup(t: Test, settings: Partial<{ budgetPerHour: number; maxAttempts: number }> = {}) {
  const dir = t.testdir();
  const fake = new FakeSlurm(dir);
  fake.set('squeue', { stdout: '' });
  fake.set('sacct', { stdout: '' });
  fake.set('sbatch', { stdout: '500\n' });
  const { db } = openDatabase(path.join(dir, 'agent.db'), { journal: 'wal' });
  t.teardown(() => db.close());
  const repos = createRepos(db);
  const clock = new FakeClock(1_795_870_900_000);
  const logger = silentLogger();
  const scheduler = new SlurmAdapter({ timeoutMs: 5000, binDir: dir, user: 'alice', logger });
  const life = new TaskLife({ repos, clock, logger });
  const executor = new IntentExecutor({
    repos,
    life,
    diagnoser: new Diagnoser(),
    scheduler,
    clock,
    logger,
    onSubmitted: () => undefined,
  });
  const userNames = new GetentUserNames({ timeoutMs: 5000, logger });
  const engine = new ResumeEngine({
    repos,
    life,
    clock,
    logger,
    executor,
    settings: { maxAttempts: 20, budgetPerHour: 60, batchWindowMs: 5000, ...settings },
    logFacts: async () => ({
      read: true,
      checkpointSeen: true,
      progressLines: 3,
      diagnosis: null,
      matches: async () => false,
    }),
    shardsSince: () => 0,
    diagnoseEnd: () => null,
    onDecided: () => undefined,
    nameOfUid: (uid) => userNames.nameOf(uid),
  });
  t.teardown(() => engine.stop());
  return { fake, repos, clock, engine, dir };
}

/** A submission of `n` tasks whose first attempts all ended in `state`. */
function ended(repos: Repos, cwd: string, jobId: string, n: number, state = 'TIMEOUT') {
  const { sub, attemptIds } = seedArray(repos, {
    firstJobId: jobId,
    n,
    name: 'b',
    args: ['--array=0-9%3', '-p', 'preproc', 'b.sbatch'],
    cwd,
    env: { A: '1' },
    arraySpec: '0-9%3',
    throttle: 3,
    taskState: 'running',
  });
  for (const a of attemptIds)
    repos.attempts.update(a, { slurmState: state, startedAt: 1795870000, endedAt: 1795870800, ended: true });
  return { sub, attempts: repos.attempts.undecided().filter((a) => a.arrayJobId === jobId) };
}

const sbatches = (fake: FakeSlurm) => fake.calls().filter((c) => c[0] === 'sbatch');

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
}

t.test('resumes within the window go out as one sbatch, restricted, throttled and tagged', async (t) => {
  const { fake, repos, clock, engine, dir } = setup(t);
  await engine.start();
  const { sub, attempts } = ended(repos, dir, '100', 3);
  await engine.onEnded(attempts.slice(0, 2));
  await clock.advance(2000);
  await engine.onEnded(attempts.slice(2));
  t.same(sbatches(fake), [], 'nothing before the window closes');
  t.same(
    repos.tasks.bySubmission(sub).map((x) => x.state),
    ['resuming', 'resuming', 'resuming'],
  );
  await clock.advance(3000);
  await until(() => repos.tasks.bySubmission(sub).every((x) => x.state === 'queued'));
  const calls = sbatches(fake);
  t.equal(calls.length, 1, 'one sbatch');
  const argv = calls[0] as string[];
  t.ok(argv.includes('--array=0-2%3'), argv.join(' '));
  t.ok(argv.some((a) => a.startsWith('--comment=emb-agent:intent=')));
  t.equal(argv.at(-1), 'b.sbatch', 'options before the script');
  t.same(
    repos.tasks.bySubmission(sub).map((x) => [x.attempts, x.latestJobId]),
    [
      [2, '500_0'],
      [2, '500_1'],
      [2, '500_2'],
    ],
  );
  t.equal(fake.env('sbatch').A, '1', 'the recorded environment');
  t.equal(fake.cwd('sbatch'), dir, 'in the recorded working directory');
});

t.test('the hourly budget holds resumes back, with the reason shown', async (t) => {
  const { fake, repos, clock, engine, dir } = setup(t, { budgetPerHour: 1 });
  await engine.start();
  const one = ended(repos, dir, '100', 1);
  const two = ended(repos, dir, '200', 1);
  await engine.onEnded([...one.attempts, ...two.attempts]);
  await clock.advance(5000);
  await until(() => sbatches(fake).length === 1 && repos.tasks.bySubmission(one.sub)[0]?.state === 'queued');
  t.equal(sbatches(fake).length, 1);
  const waiting = repos.tasks.bySubmission(two.sub)[0];
  t.equal(waiting?.state, 'resuming');
  t.match(waiting?.reason, /budget/);
});

t.test('an sbatch time-out is looked up before it is ever sent again', async (t) => {
  const { fake, repos, clock, engine, dir } = setup(t);
  await engine.start();
  fake.set('sbatch', {
    stderr: 'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n',
    exit: 1,
  });
  const { sub, attempts } = ended(repos, dir, '100', 2);
  await engine.onEnded(attempts);
  await clock.advance(5000);
  await until(() => repos.intents.pending()[0]?.tries === 1);
  t.equal(sbatches(fake).length, 1);
  t.same(
    repos.tasks.bySubmission(sub).map((x) => x.state),
    ['resuming', 'resuming'],
    'never failed by a time-out',
  );
  // The first sbatch did reach Slurm after all: squeue shows the tagged job.
  const tag = repos.intents.pending()[0]?.tag as string;
  const US = '\x1f';
  const row = (task: string) =>
    [
      '777_' + task,
      '778',
      '777',
      task,
      'alice',
      'b',
      'PENDING',
      'None',
      '0',
      '1',
      'N/A',
      'N/A',
      '1:00',
      '0:00',
      '/w',
      '/w/o',
      '/w/o',
      tag,
      '',
      '',
    ].join(US);
  fake.set('squeue', { stdout: `${row('0')}\n${row('1')}\n` });
  fake.set('sbatch', { stdout: '999\n' });
  await clock.advance(5000);
  await until(() => repos.intents.pending().length === 0);
  t.equal(sbatches(fake).length, 1, 'no second sbatch');
  t.same(
    repos.tasks.bySubmission(sub).map((x) => x.latestJobId),
    ['777_0', '777_1'],
    'the found job is recorded',
  );
});

t.test('a refusal stops the tasks as failed with sbatch-rejected and its words', async (t) => {
  const { fake, repos, clock, engine, dir } = setup(t);
  await engine.start();
  fake.set('sbatch', {
    stderr:
      'sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n',
    exit: 1,
  });
  const { sub, attempts } = ended(repos, dir, '100', 1);
  await engine.onEnded(attempts);
  await clock.advance(5000);
  await until(() => repos.tasks.bySubmission(sub)[0]?.state === 'failed');
  const task = repos.tasks.bySubmission(sub)[0];
  t.equal(task?.state, 'failed');
  t.equal(task?.diagnosisCause, 'sbatch-rejected');
  t.match(task?.reason, /Invalid account/);
  t.match(
    task?.diagnosisHint,
    /Slurm refused the submission.*emb-client resubmit/,
    'the submit rules read it',
  );
  t.match(task?.diagnosisLine, /Invalid account/);
});

t.test("a refused resubmission with --mem on Betzy's normal partition gets that hint", async (t) => {
  const { fake, repos, clock, engine, dir } = setup(t);
  await engine.start();
  fake.set('sbatch', {
    stderr: 'sbatch: error: Batch job submission failed: Requested node configuration is not available\n',
    exit: 1,
  });
  const { sub } = seedArray(repos, {
    firstJobId: '300',
    n: 1,
    args: ['--array=0', '-p', 'normal', '--mem=8G', 'b.sbatch'],
    cwd: dir,
    arraySpec: '0',
    taskState: 'running',
  });
  const a = repos.attempts.byJobId('300_0')!;
  repos.attempts.update(a.id, {
    slurmState: 'TIMEOUT',
    startedAt: 1795870000,
    endedAt: 1795870800,
    ended: true,
  });
  await engine.onEnded([repos.attempts.get(a.id)!]);
  await clock.advance(5000);
  await until(() => repos.tasks.bySubmission(sub)[0]?.state === 'failed');
  const task = repos.tasks.bySubmission(sub)[0];
  t.equal(task?.diagnosisCause, 'sbatch-rejected');
  t.match(task?.diagnosisHint, /normal partition refuses --mem/);
});
