// A user's submit is tagged unless it sets its own comment; when sbatch's answer is lost the job is looked up
// by the tag, and the error says what is known. Fake sbatch/squeue/sacct executables (test/helpers/fake-slurm).
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../../agent/clock.js';
import { submitRecipe } from '../../../agent/commands/submit.js';
import { silentLogger, type Logger } from '../../../agent/log.js';
import { SlurmAdapter } from '../../../agent/slurm/adapter.js';
import { FakeSlurm } from '../../helpers/fake-slurm.js';
import { openRepos } from '../../helpers/http-fixtures.js';
import { TaskLife } from '../../../agent/tasks/life.js';
import { capturedLogger } from '../../helpers/captured-log.js';

function setup(t: Test, logger: Logger = silentLogger()) {
  const dir = t.testdir({ 'b.sbatch': '#!/bin/sh\n#SBATCH --time=10\nsleep 1\n' });
  const fake = new FakeSlurm(dir);
  const repos = openRepos(path.join(dir, 'db'));
  const deps = {
    repos,
    life: new TaskLife({ repos, clock: systemClock, logger: silentLogger() }),
    scheduler: new SlurmAdapter({ timeoutMs: 1000, binDir: dir, logger: silentLogger() }),
    clock: systemClock,
    logger,
    jobDefaults: {},
    paths: { workRoot: dir, user: 'alice', home: dir },
    onSubmitted() {},
  };
  const submit = (args: string[]) => submitRecipe(deps, { args, cwd: dir, env: {} });
  // The user's argv as sbatch got it, without the adapter's own --parsable.
  const sbatchArgs = () =>
    fake
      .calls()
      .filter((c) => c[0] === 'sbatch')
      .map((c) => c.slice(1).filter((a) => a !== '--parsable'));
  return { dir, fake, repos, submit, sbatchArgs };
}

t.test('the tag goes before the script; a comment of the user is left alone', async (t) => {
  const { fake, submit, sbatchArgs } = setup(t);
  fake.set('sbatch', { stdout: '4242\n' });
  t.match(await submit(['--array=0-1', 'b.sbatch', 'x']), { submissionId: 1, jobId: '4242' });
  const [args] = sbatchArgs();
  t.match(args?.slice(0, 2), ['--array=0-1', /^--comment=emb-agent:submit=[0-9a-f]{12}$/]);
  t.same(args?.slice(2), ['b.sbatch', 'x']);
  await submit(['--comment=mine', 'b.sbatch']);
  t.same(sbatchArgs()[1], ['--comment=mine', 'b.sbatch'], 'not tagged');
});

t.test('a lost answer: found by the tag, or an error that says what is known', async (t) => {
  const { dir, fake, submit } = setup(t);
  fake.set('sbatch', { sleep: 30 });
  fake.set('squeue', { stdout: '' });
  fake.set('sacct', { stdout: '' });
  await t.rejects(submit(['b.sbatch']), {
    code: 'AGENT_ERR_SCHEDULER_TRANSIENT',
    message: /no job with its tag is known to squeue or sacct; the job may have been accepted/,
  });
  fake.set('squeue', { stderr: 'squeue: error: Socket timed out', exit: 1 });
  await t.rejects(submit(['b.sbatch']), {
    message: /looking the job up by its tag failed too/,
  });
  await t.rejects(submit(['--comment=mine', 'b.sbatch']), {
    message: /^(?!.*tag).*the job may have been accepted: check squeue/,
  });
  // The job sbatch made before hanging, as squeue lists it (fields of agent/slurm/squeue-text.ts).
  const hangWritesQueue = [
    '#!/bin/sh',
    'for a in "$@"; do case "$a" in --comment=*) c="${a#--comment=}" ;; esac; done',
    `printf '777\\037777\\037777\\037N/A\\037me\\037b\\037PENDING\\037None\\0370\\0371795870800\\037N/A\\037N/A\\0371:00\\0370:00\\037%s\\037%s\\037%s\\037%s\\037\\037\\n' '${dir}' '${dir}/o' '${dir}/o' "$c" > '${path.join(dir, 'squeue.stdout')}'`,
    'exec /bin/sleep 30',
  ];
  fake.set('squeue', { stdout: '' });
  writeFileSync(path.join(dir, 'sbatch'), `${hangWritesQueue.join('\n')}\n`, { mode: 0o755 });
  t.match(await submit(['b.sbatch']), { submissionId: 1, jobId: '777' }, 'found by its tag, recorded once');
});

t.test('a failed look-up is logged as the error (code, stack, cause), with no secret', async (t) => {
  const log = capturedLogger();
  const { fake, submit } = setup(t, log.logger);
  fake.set('sbatch', { sleep: 30 });
  fake.set('squeue', { stderr: 'squeue: error: https://x/y?sv=1&sig=SeCrEt123 timed out', exit: 1 });
  fake.set('sacct', { stdout: '' });
  await t.rejects(submit(['b.sbatch']), { message: /looking the job up by its tag failed too/ });
  const line = log
    .text()
    .split('\n')
    .find((l) => l.includes('could not look up a submit'));
  t.ok(line, 'the look-up failure is logged');
  const err = (JSON.parse(line ?? '{}') as { err?: { type?: string; code?: string; stack?: string } }).err;
  t.match(err, { type: 'SchedulerError', code: /^AGENT_ERR_SCHEDULER_/ }, 'the error, not its message');
  t.match(err?.stack, /SchedulerError|at /, 'with its stack');
  t.notMatch(log.text(), /SeCrEt123/, 'no SAS signature reaches the log');
});
