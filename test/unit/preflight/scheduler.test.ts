// The decorator in front of the real adapter, with fake Slurm executables in its binDir.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { isAgentError } from '../../../agent/errors.js';
import { silentLogger } from '../../../agent/log.js';
import { PreflightConfigSchema } from '../../../agent/preflight/config.js';
import { profileFromConfig } from '../../../agent/preflight/profile.js';
import {
  PreflightScheduler,
  type PreflightEvent,
  type ResubmissionFacts,
} from '../../../agent/preflight/scheduler.js';
import { SlurmAdapter } from '../../../agent/slurm/adapter.js';
import { isSchedulerError } from '../../../agent/slurm/errors.js';
import { parseTestOnly } from '../../../agent/slurm/sbatch.js';
import { FakeSlurm } from '../../helpers/fake-slurm.js';
import { ROOT } from '../../helpers/agent-process.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/slurm/22.05/test-only');

function setup(t: Test, config: Record<string, unknown> = {}, resub: ResubmissionFacts | null = null) {
  const dir = t.testdir({ 'job.sbatch': '#!/bin/bash\n#SBATCH --partition=preproc\necho hi\n' });
  const fake = new FakeSlurm(dir);
  fake.set('sbatch', { stdout: '4321\n' });
  const settings = PreflightConfigSchema.parse(config);
  const events: PreflightEvent[] = [];
  const scheduler = new PreflightScheduler({
    inner: new SlurmAdapter({ timeoutMs: 10_000, binDir: dir, logger: silentLogger() }),
    profile: profileFromConfig(settings),
    settings,
    logger: silentLogger(),
    resubmission: () => Promise.resolve(resub),
    record: (e) => events.push(e),
  });
  const submit = (args: string[], skip?: string) =>
    scheduler.submit({ args: [...args, 'job.sbatch'], cwd: dir, env: {}, preflight: { skip } });
  return { dir, fake, scheduler, events, submit };
}

t.test("sbatch --test-only's answers as recorded on 22.05", async (t) => {
  t.same(parseTestOnly(readFileSync(path.join(FIXTURES, 'ok.stderr'), 'utf8')), {
    partition: 'normal',
    startAt: '2026-12-01T05:39:25',
    line: 'Job 644 to start at 2026-12-01T05:39:25 using 1 processors on nodes vm in partition normal',
  });
  t.match(parseTestOnly('something else\n'), { partition: null, startAt: null, line: 'something else' });
});

t.test('a refusal names the rule and the fix, and runs no sbatch at all', async (t) => {
  const { fake, submit } = setup(t);
  const err = await submit(['-t', '2-00:00:00']).catch((e: unknown) => e);
  t.ok(isAgentError(err, 'AGENT_ERR_PREFLIGHT_REFUSED'), String(err));
  t.ok(isSchedulerError(err, 'permanent'), 'permanent: a resubmission is rejected, not retried');
  t.equal((err as { status: number }).status, 422);
  t.match((err as Error).message, /time-over-limit.*preproc.*fix: ask for at most --time=1-00:00:00/);
  t.same(fake.calls(), [], 'nothing reached Slurm');
});

t.test('a job that passes goes to sbatch unchanged; the override skips the table', async (t) => {
  const { fake, submit } = setup(t);
  t.same(await submit(['-t', '10']), { jobId: '4321', cluster: null });
  t.same(fake.calls(), [['sbatch', '--parsable', '-t', '10', 'job.sbatch']]);
  t.same(await submit(['-t', '9-0'], 'the admins raised my limit'), { jobId: '4321', cluster: null });
  t.equal(fake.calls().length, 2);
});

t.test('testOnly "always" asks Slurm first; its refusal is a preflight refusal', async (t) => {
  const { fake, submit } = setup(t, { testOnly: 'always' });
  fake.set('sbatch', {
    stderr: readFileSync(path.join(FIXTURES, 'invalid-partition.stderr'), 'utf8'),
    exit: 1,
  });
  const err = await submit(['-t', '10']).catch((e: unknown) => e);
  t.ok(isAgentError(err, 'AGENT_ERR_PREFLIGHT_REFUSED'), String(err));
  t.match((err as Error).message, /\[slurm\] sbatch --test-only: .*invalid partition/i);
  t.same(fake.calls(), [['sbatch', '--test-only', '-t', '10', 'job.sbatch']], 'no real sbatch after it');
  // A controller that does not answer is no refusal: the sbatch meets it anyway.
  fake.set('sbatch', { stderr: 'sbatch: error: Socket timed out on send/recv operation\n', exit: 1 });
  const again = await submit(['-t', '10']).catch((e: unknown) => e);
  t.notOk(isAgentError(again, 'AGENT_ERR_PREFLIGHT_REFUSED'));
  t.equal(fake.calls().at(-1)?.[1], '--parsable');
});

t.test('deferred: check() asks Slurm, an immediate submit does not', async (t) => {
  const { fake, scheduler, submit, dir } = setup(t);
  fake.set('sbatch', { stderr: readFileSync(path.join(FIXTURES, 'ok.stderr'), 'utf8') });
  const report = await scheduler.check({ args: ['-t', '10', 'job.sbatch'], cwd: dir, env: {} });
  t.equal(report.slurm?.partition, 'normal');
  fake.set('sbatch', { stdout: '4321\n' });
  await submit(['-t', '10']);
  t.same(
    fake.calls().map((c) => c[1]),
    ['--test-only', '--parsable'],
  );
});

t.test('a resubmission with --fit-time asks for the fitted time, and says why', async (t) => {
  const resub: ResubmissionFacts = {
    submissionId: 7,
    options: { fitTime: true, target: 10 },
    originalArgs: ['-t', '10:00:00', 'job.sbatch'],
    indices: [0, 1],
    progress: () =>
      Promise.resolve({
        source: 'shards',
        tasks: [
          { index: 0, done: 4, runs: [{ runSeconds: 3600, units: 4 }] },
          { index: 1, done: 6, runs: [{ runSeconds: 1800, units: 6 }] },
        ],
      }),
  };
  const { fake, events, dir, scheduler } = setup(t, {}, resub);
  const args = ['--array=0-1', '-t', '10:00:00', '--comment=emb-agent:intent=3:abc', 'job.sbatch'];
  await scheduler.submit({ args, cwd: dir, env: {} });
  // Task 0: 6 left at 4/h = 90 min; +25% +10 = 123 min.
  t.same(fake.calls(), [
    [
      'sbatch',
      '--parsable',
      '--array=0-1',
      '--comment=emb-agent:intent=3:abc',
      '--time=0-02:03:00',
      'job.sbatch',
    ],
  ]);
  t.equal(events[0]?.kind, 'preflight.fit-time');
  t.equal(events[0]?.submissionId, 7);
  t.match(events[0]?.data, {
    time: '--time=0-02:03:00',
    originalTime: '10:00:00',
    source: 'shards',
    target: 10,
  });
});

t.test(
  'a resubmission follows its submission: refused when the recipe breaks a rule, skipped when overridden',
  async (t) => {
    const resub: ResubmissionFacts = {
      submissionId: 9,
      options: {},
      originalArgs: ['--mem=8G', '-p', 'normal', 'job.sbatch'],
      indices: [0],
      progress: () => Promise.resolve({ source: 'shards', tasks: [] }),
    };
    const { fake, scheduler, dir, events } = setup(t, {}, resub);
    const args = ['--mem=8G', '-p', 'normal', '--comment=emb-agent:intent=5:abc', 'job.sbatch'];
    await t.rejects(scheduler.submit({ args, cwd: dir, env: {} }), { code: 'AGENT_ERR_PREFLIGHT_REFUSED' });
    t.same(fake.calls(), []);
    resub.options = { skip: 'site exception #42' };
    await scheduler.submit({ args, cwd: dir, env: {} });
    t.equal(fake.calls().length, 1);
    t.match(events, [{ kind: 'preflight.skipped', submissionId: 9, data: { reason: 'site exception #42' } }]);
  },
);

t.test('enabled: false passes everything through', async (t) => {
  const { fake, submit } = setup(t, { enabled: false });
  await submit(['-t', '9-0', '--mem=1G']);
  t.equal(fake.calls().length, 1);
});
