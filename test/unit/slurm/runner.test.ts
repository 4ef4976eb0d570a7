import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSchedulerError, type SchedulerError } from '../../../agent/slurm/errors.js';
import { CommandRunner } from '../../../agent/slurm/runner.js';
import { silentLogger } from '../../../agent/log.js';
import { FakeSlurm } from '../../helpers/fake-slurm.js';

const logger = silentLogger();

t.test('a command that outlives its time-out is killed: transient', async (t) => {
  const fake = new FakeSlurm(t.testdir());
  fake.set('sacct', { sleep: 30 });
  const runner = new CommandRunner({ timeoutMs: 300, binDir: fake.dir, logger });
  const err = (await t.rejects(runner.run('sacct', ['-X']))) as unknown as SchedulerError;
  t.ok(isSchedulerError(err, 'transient'));
  t.equal(err.reason, 'timed out after 300 ms');
  t.equal(err.code, 'AGENT_ERR_SCHEDULER_TRANSIENT');
});

t.test('sbatch refusing the account: permanent, with its stderr as the reason', async (t) => {
  const fake = new FakeSlurm(t.testdir());
  const stderr =
    'sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n';
  fake.set('sbatch', { stderr, exit: 1 });
  const runner = new CommandRunner({ timeoutMs: 10_000, binDir: fake.dir, logger });
  const err = (await t.rejects(
    runner.run('sbatch', ['--parsable', 'x.sbatch']),
  )) as unknown as SchedulerError;
  t.ok(isSchedulerError(err, 'permanent'));
  t.equal(
    err.reason,
    'Batch job submission failed: Invalid account or account/partition combination specified',
  );
  t.equal(err.stderr, stderr);
  t.equal(err.exitCode, 1);
  t.ok(err.cause instanceof Error, 'the cause is kept');
});

t.test('a missing binary: unavailable', async (t) => {
  const dir = t.testdir();
  const runner = new CommandRunner({ timeoutMs: 10_000, binDir: dir, logger });
  const err = (await t.rejects(runner.run('sbatch', ['--version']))) as unknown as SchedulerError;
  t.ok(isSchedulerError(err, 'unavailable'));
  t.match(err.reason, /command not found: .*\/sbatch$/);
  const onPath = new CommandRunner({ timeoutMs: 10_000, logger });
  const err2 = (await t.rejects(onPath.run('emb-no-such-slurm-command', []))) as unknown as SchedulerError;
  t.ok(isSchedulerError(err2, 'unavailable'));
});

t.test('a missing working directory is named, not mistaken for a missing command', async (t) => {
  const fake = new FakeSlurm(t.testdir());
  fake.set('sbatch', { stdout: '1\n' });
  const runner = new CommandRunner({ timeoutMs: 10_000, binDir: fake.dir, logger });
  const err = (await t.rejects(
    runner.run('sbatch', [], { cwd: `${fake.dir}/nope`, env: {}, exactEnv: true }),
  )) as unknown as SchedulerError;
  t.ok(isSchedulerError(err, 'permanent'));
  t.match(err.reason, /working directory .*nope is not usable/);
  t.same(fake.calls(), []);
});

t.test('accept turns an expected failure into a result', async (t) => {
  const fake = new FakeSlurm(t.testdir());
  fake.set('squeue', { stderr: 'slurm_load_jobs error: Invalid job id specified\n', exit: 1 });
  const runner = new CommandRunner({ timeoutMs: 10_000, binDir: fake.dir, logger });
  const r = await runner.run('squeue', ['-j', '1'], { accept: (x) => /Invalid job id/.test(x.stderr) });
  t.equal(r.exitCode, 1);
  const err = (await t.rejects(runner.run('squeue', ['-j', '1']))) as unknown as SchedulerError;
  t.ok(isSchedulerError(err, 'permanent'), 'without accept it is a failure');
});

t.test('argv is passed as is: no shell, no word splitting', async (t) => {
  const fake = new FakeSlurm(t.testdir());
  fake.set('sbatch', { stdout: '5\n' });
  const runner = new CommandRunner({ timeoutMs: 10_000, binDir: fake.dir, logger });
  const args = ['--comment=a b;c|d', '--wrap=echo $HOME && rm -rf /nonexistent', '$(touch pwned)'];
  await runner.run('sbatch', args);
  t.same(fake.calls(), [['sbatch', ...args]]);
});

t.test('the constructor does no I/O and checks its time-out', async (t) => {
  t.throws(() => new CommandRunner({ timeoutMs: 0, logger }), RangeError);
  t.doesNotThrow(() => new CommandRunner({ timeoutMs: 1, binDir: '/nonexistent', logger }));
});

t.test(
  'at its time-out the whole process group goes: a wrapper whose child ignores TERM cannot stall',
  async (t) => {
    const dir = t.testdir();
    const pidFile = path.join(dir, 'child.pid');
    // A site wrapper around squeue whose child hangs, ignoring SIGTERM, with the output pipes still open.
    writeFileSync(
      path.join(dir, 'squeue'),
      `#!/bin/sh\nsh -c 'trap "" TERM; echo $$ > ${pidFile}; exec sleep 1000' &\nwait\n`,
      { mode: 0o755 },
    );
    const runner = new CommandRunner({ timeoutMs: 300, binDir: dir, logger });
    const err = (await t.rejects(runner.run('squeue', ['--me']))) as unknown as SchedulerError;
    t.ok(isSchedulerError(err, 'transient'));
    t.equal(err.reason, 'timed out after 300 ms');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    t.ok(pid > 0);
    // Killed: gone, or a zombie waiting for init to reap it.
    const state = (() => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      } catch (err) {
        return (err as NodeJS.ErrnoException).code;
      }
    })();
    t.ok(state === 'ENOENT' || state === 'Z', `the hung child is dead (${state})`);
  },
);

t.test(
  'a command that cannot start says its errno and where, never "exited with status unknown"',
  async (t) => {
    const dir = t.testdir();
    // Present but not executable: spawn fails with EACCES (even for root, with no x bit at all).
    writeFileSync(path.join(dir, 'sbatch'), '#!/bin/sh\necho 1\n', { mode: 0o644 });
    const runner = new CommandRunner({ timeoutMs: 10_000, binDir: dir, logger });
    const err = (await t.rejects(runner.run('sbatch', [], { cwd: dir }))) as unknown as SchedulerError;
    t.equal(err.reason, `cannot start ${dir}/sbatch in ${dir}: EACCES`);
    t.notMatch(err.message, /status unknown/);
  },
);

t.test('a working directory that is a file is named with its path and errno', async (t) => {
  const fake = new FakeSlurm(t.testdir());
  fake.set('sbatch', { stdout: '1\n' });
  const file = path.join(fake.dir, 'not-a-folder');
  writeFileSync(file, '');
  const runner = new CommandRunner({ timeoutMs: 10_000, binDir: fake.dir, logger });
  const missing = (await t.rejects(
    runner.run('sbatch', [], { cwd: `${file}/below`, env: {}, exactEnv: true }),
  )) as unknown as SchedulerError;
  t.match(
    missing.reason,
    /working directory .*not-a-folder\/below is not usable by the agent's user: ENOTDIR/,
  );
  t.same(fake.calls(), [], 'sbatch never ran');
});
