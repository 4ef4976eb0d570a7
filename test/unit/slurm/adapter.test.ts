import t, { type Test } from 'tap';
import { isAgentError } from '../../../agent/errors.js';
import { silentLogger } from '../../../agent/log.js';
import { SlurmAdapter, type SlurmAdapterOptions } from '../../../agent/slurm/adapter.js';
import { isSchedulerError } from '../../../agent/slurm/errors.js';
import { sacctTextArgs } from '../../../agent/slurm/sacct-text.js';
import { squeueTextArgs } from '../../../agent/slurm/squeue-text.js';
import { FakeSlurm } from '../../helpers/fake-slurm.js';
import { hand } from '../../helpers/slurm-fixtures.js';

function setup(t: Test, opts: Partial<SlurmAdapterOptions> = {}) {
  const fake = new FakeSlurm(t.testdir());
  const adapter = new SlurmAdapter({
    timeoutMs: 10_000,
    binDir: fake.dir,
    user: 'alice',
    logger: silentLogger(),
    ...opts,
  });
  return { fake, adapter };
}

t.test('the constructor runs nothing', async (t) => {
  const { fake } = setup(t);
  t.same(fake.calls(), []);
});

t.test('version: parsed once per instance; a failed probe is not cached', async (t) => {
  const { fake, adapter } = setup(t);
  fake.set('sbatch', {
    stderr: 'sbatch: error: Unable to contact slurm controller (connect failure)\n',
    exit: 1,
  });
  const err = await t.rejects(adapter.version());
  t.ok(isSchedulerError(err, 'transient'));
  fake.set('sbatch', { stdout: 'slurm-wlm 22.05.8\n' });
  t.same(await adapter.version(), { text: '22.05.8', major: 22, minor: 5 });
  t.same(await adapter.version(), { text: '22.05.8', major: 22, minor: 5 });
  t.same(fake.calls(), [
    ['sbatch', '--version'],
    ['sbatch', '--version'],
  ]);
});

t.test('submit: sbatch --parsable, the recorded cwd and exactly the recorded environment', async (t) => {
  const { fake, adapter } = setup(t);
  const work = t.testdir();
  fake.set('sbatch', { stdout: '1234;betzy\n', stderr: 'sbatch: warning: some notice\n' });
  process.env.EMB_TEST_AGENT_ONLY = 'must-not-leak';
  t.teardown(() => delete process.env.EMB_TEST_AGENT_ONLY);
  const result = await adapter.submit({
    args: ['--array=1,4,7-9%2', '--comment=emb:intent=3', 'build_shards.sbatch', 'aef'],
    cwd: work,
    env: { PATH: '/usr/bin:/bin', SAS_TOKEN_FILE: '/x/token', HOME: '/home/alice' },
  });
  t.same(result, { jobId: '1234', cluster: 'betzy' });
  t.same(fake.calls(), [
    ['sbatch', '--parsable', '--array=1,4,7-9%2', '--comment=emb:intent=3', 'build_shards.sbatch', 'aef'],
  ]);
  t.equal(fake.cwd('sbatch'), work);
  const env = fake.env('sbatch');
  t.equal(env.SAS_TOKEN_FILE, '/x/token');
  t.equal(env.HOME, '/home/alice');
  t.notOk('EMB_TEST_AGENT_ONLY' in env, "the agent's own environment is not merged in");
  t.notOk('SLURM_TIME_FORMAT' in env);
});

t.test('submit: a refusal is permanent, a garbled answer is an output error', async (t) => {
  const { fake, adapter } = setup(t);
  const req = { args: ['x.sbatch'], cwd: t.testdir(), env: {} };
  fake.set('sbatch', {
    stderr:
      'sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n',
    exit: 1,
  });
  const refused = await t.rejects(adapter.submit(req));
  t.ok(isSchedulerError(refused, 'permanent'));
  fake.set('sbatch', { stdout: 'Submitted batch job 12\n' });
  const garbled = await t.rejects(adapter.submit(req));
  t.ok(isSchedulerError(garbled, 'output'));
});

t.test('accounting: one sacct call for all ids, none for an empty list', async (t) => {
  const { fake, adapter } = setup(t);
  fake.set('sacct', { stdout: hand('sacct-recorded-22.05.txt') });
  t.same(await adapter.accounting([]), []);
  t.same(fake.calls(), [], 'no call for no ids');

  process.env.SQUEUE_STATES = 'PD';
  t.teardown(() => delete process.env.SQUEUE_STATES);
  const records = await adapter.accounting(['86', '87', '86', '88', '89']);
  t.same(fake.calls(), [['sacct', ...sacctTextArgs({ jobIds: ['86', '87', '88', '89'], user: 'alice' })]]);
  t.equal(records.length, 17);
  const env = fake.env('sacct');
  t.equal(env.SLURM_TIME_FORMAT, '%s');
  t.equal(env.SLURM_BITSTR_LEN, '0');
  t.notOk('SQUEUE_STATES' in env, "the user's SQUEUE_* defaults are removed");

  const bad = await t.rejects(adapter.accounting(['86', '87; rm -rf /']));
  t.ok(isAgentError(bad, 'AGENT_ERR_BAD_REQUEST'));
  t.equal(fake.calls().length, 1, 'a bad id makes no call');
});

t.test('accountingSince: one sacct call for the user since a time', async (t) => {
  const { fake, adapter } = setup(t);
  fake.set('sacct', { stdout: hand('sacct-recorded-22.05.txt') });
  const since = 1795870000;
  const records = await adapter.accountingSince(since);
  t.same(fake.calls(), [['sacct', ...sacctTextArgs({ since, user: 'alice' })]]);
  t.ok(records.some((r) => r.submitLine?.includes('--comment=emb:intent=9|x')));
  await t.rejects(adapter.accountingSince(Number.NaN));
});

t.test('queue: one squeue call by user, filtered to the ids asked for', async (t) => {
  const { fake, adapter } = setup(t);
  fake.set('squeue', { stdout: hand('squeue-O-recorded-22.05.txt') });
  t.same(await adapter.queue([]), []);
  t.same(fake.calls(), []);

  process.env.SQUEUE_ARRAY = '1';
  t.teardown(() => delete process.env.SQUEUE_ARRAY);
  const all = await adapter.queue();
  t.equal(all.length, 28, '18 lines, two of them remainders of 8 and 4 tasks');
  const some = await adapter.queue(['86', '88', '81_2', '93']);
  t.same(fake.calls(), [
    ['squeue', ...squeueTextArgs({ user: 'alice' })],
    ['squeue', ...squeueTextArgs({ user: 'alice' })],
  ]);
  t.same(
    some.map((r) => r.jobId),
    ['88', '81_2', '86_2', '86_3', '86_4', '86_5', '86_6', '86_7', '86_8', '86_9', '86_0', '86_1', '89_1'],
    'by array id, task id and raw id',
  );
  t.notOk('SQUEUE_ARRAY' in fake.env('squeue'));
});

t.test('queue: without a user it asks for --me; "Invalid job id" means no jobs', async (t) => {
  const { fake, adapter } = setup(t, { user: null });
  fake.set('squeue', { stderr: 'slurm_load_jobs error: Invalid job id specified\n', exit: 1 });
  t.same(await adapter.queue(['12']), []);
  t.same(fake.calls(), [['squeue', ...squeueTextArgs({ me: true })]]);
  fake.set('squeue', { stderr: 'slurm_load_jobs error: Socket timed out on send/recv operation\n', exit: 1 });
  const err = await t.rejects(adapter.queue());
  t.ok(isSchedulerError(err, 'transient'));
});

t.test('cancel: scancel with signal and batch, and a job already gone is fine', async (t) => {
  const { fake, adapter } = setup(t);
  fake.set('scancel', {});
  await adapter.cancel('12_3', { signal: 'TERM', batchOnly: true });
  await adapter.cancel('13');
  fake.set('scancel', {
    stderr: 'scancel: error: Kill job error on job id 14: Job/step already completing or completed\n',
    exit: 1,
  });
  await adapter.cancel('14');
  t.same(fake.calls(), [
    ['scancel', '--signal=TERM', '--batch', '12_3'],
    ['scancel', '13'],
    ['scancel', '14'],
  ]);
  fake.set('scancel', {
    stderr: 'scancel: error: Unable to contact slurm controller (connect failure)\n',
    exit: 1,
  });
  t.ok(isSchedulerError(await t.rejects(adapter.cancel('15')), 'transient'));
  t.ok(
    isAgentError(await t.rejects(adapter.cancel('15', { signal: 'TERM; reboot' })), 'AGENT_ERR_BAD_REQUEST'),
  );
  t.ok(isAgentError(await t.rejects(adapter.cancel('-1')), 'AGENT_ERR_BAD_REQUEST'));
});
