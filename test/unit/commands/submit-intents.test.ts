// A user's submit is written down before sbatch runs and settled at start: found by its tag it becomes the
// submission, not found once no sbatch can still land it is marked failed with an event. A database that
// cannot be written refuses a submit before sbatch, and one that fails after sbatch still returns the job id.
// Fake sbatch/squeue/sacct executables (test/helpers/fake-slurm), a real SQLite file.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../../agent/clock.js';
import { adoptJob } from '../../../agent/commands/adopt.js';
import { submitRecipe } from '../../../agent/commands/submit.js';
import { SubmitSettler } from '../../../agent/commands/submit-intents.js';
import { silentLogger } from '../../../agent/log.js';
import { SlurmAdapter } from '../../../agent/slurm/adapter.js';
import { FakeSlurm } from '../../helpers/fake-slurm.js';
import { openRepos } from '../../helpers/http-fixtures.js';
import { TaskLife } from '../../../agent/tasks/life.js';

function setup(t: Test) {
  const dir = t.testdir({ 'b.sbatch': '#!/bin/sh\nsleep 1\n' });
  const fake = new FakeSlurm(dir);
  const repos = openRepos(path.join(dir, 'db'));
  const scheduler = new SlurmAdapter({ timeoutMs: 5000, binDir: dir, logger: silentLogger() });
  const deps = {
    repos,
    life: new TaskLife({ repos, clock: systemClock, logger: silentLogger() }),
    scheduler,
    clock: systemClock,
    logger: silentLogger(),
    jobDefaults: {},
    paths: { workRoot: dir, user: 'alice', home: dir },
    onSubmitted() {},
  };
  const submit = (args: string[], extra: { checkpointRegex?: string } = {}) =>
    submitRecipe(deps, { args, cwd: dir, env: {}, ...extra });
  const settle = async (windowMs = 60_000) => {
    const settler = new SubmitSettler({ ...deps, windowMs });
    settler.start();
    await settler.stop();
  };
  const sbatchCalls = () => fake.calls().filter((c) => c[0] === 'sbatch' && !c.includes('--version'));
  /** An sbatch that answers 4242 after `sleep` seconds and writes the queue line of its tagged job. */
  const slowSbatch = (sleep: number) => {
    fake.set('squeue', { stdout: '' });
    fake.set('sacct', { stdout: '' });
    writeFileSync(
      path.join(dir, 'sbatch'),
      [
        '#!/bin/sh',
        'for a in "$@"; do case "$a" in --comment=*) c="${a#--comment=}" ;; esac; done',
        `printf '4242\\0374242\\0374242\\037N/A\\037me\\037b\\037PENDING\\037None\\0370\\0371795870800\\037N/A\\037N/A\\0371:00\\0370:00\\037%s\\037%s\\037%s\\037%s\\037\\037\\n' '${dir}' '${dir}/o' '${dir}/o' "$c" > '${path.join(dir, 'squeue.stdout')}'`,
        `/bin/sleep ${sleep}`,
        'echo 4242',
      ].join('\n'),
      { mode: 0o755 },
    );
  };
  return { dir, fake, deps, repos, submit, settle, sbatchCalls, slowSbatch };
}

t.test('the intent is open while sbatch runs and closed with the submission', async (t) => {
  const { repos, submit, slowSbatch } = setup(t);
  slowSbatch(1);
  const p = submit(['--array=0-2', 'b.sbatch']);
  while (repos.submitIntents.pending().length === 0) await new Promise((r) => setTimeout(r, 20));
  const [open] = repos.submitIntents.pending();
  t.match(open, { state: 'pending', tag: /^emb-agent:submit=/, indices: [0, 1, 2], isArray: true });
  t.match(await p, { submissionId: 1, jobId: '4242' });
  t.match(repos.submitIntents.get(open!.id), { state: 'confirmed', jobId: '4242', submissionId: 1 });
});

t.test('a database that cannot be written refuses the submit before sbatch runs', async (t) => {
  const { repos, fake, submit, sbatchCalls } = setup(t);
  fake.set('sbatch', { stdout: '4242\n' });
  repos.db.pragma('query_only = ON');
  await t.rejects(submit(['b.sbatch']), { code: 'AGENT_ERR_DB', message: /nothing was submitted/ });
  t.equal(sbatchCalls().length, 0, 'sbatch never ran');
});

t.test('a database failing after sbatch: the id comes back, and the next start tracks the job', async (t) => {
  const { repos, submit, settle, slowSbatch } = setup(t);
  slowSbatch(1);
  const p = submit(['b.sbatch']);
  while (repos.submitIntents.pending().length === 0) await new Promise((r) => setTimeout(r, 20));
  repos.db.pragma('query_only = ON');
  const reply = await p;
  t.equal(reply.jobId, '4242', 'the client gets the job id');
  t.equal(reply.submissionId, null);
  t.match(reply.warnings.join('\n'), /sbatch accepted job 4242, but the agent could not record it/);
  t.equal(repos.submissions.list().length, 0);
  repos.db.pragma('query_only = OFF');
  await settle();
  const [sub] = repos.submissions.list();
  t.match(sub, { firstJobId: '4242', origin: 'submit' }, 'recorded from the intent at the next start');
  t.match(repos.submitIntents.get(1), { state: 'confirmed', jobId: '4242', submissionId: sub?.id });
  t.ok(repos.tasks.bySubmission(sub!.id).length === 1);
});

t.test('a refused submit closes its intent', async (t) => {
  const { repos, fake, submit } = setup(t);
  fake.set('sbatch', { stderr: 'sbatch: error: Batch job submission failed: Invalid account', exit: 1 });
  await t.rejects(submit(['b.sbatch']));
  t.match(repos.submitIntents.get(1), { state: 'failed', error: /Invalid account/ });
});

t.test('an open intent nobody finds: failed once the window is over, with an event', async (t) => {
  const { repos, fake, settle } = setup(t);
  fake.set('squeue', { stdout: '' });
  fake.set('sacct', { stdout: '' });
  const recipe = {
    name: 'b.sbatch',
    origin: 'submit' as const,
    args: ['b.sbatch'],
    cwd: '/x',
    env: {},
    arraySpec: null,
    throttle: null,
    doneMarker: null,
    progress: null,
    checkpointRegex: null,
    maxAttempts: null,
    resume: true,
    recipeNotes: [],
  };
  const old = Date.now() - 10 * 60_000;
  repos.submitIntents.create('emb-agent:submit=000000000001', recipe, [0], false, old);
  repos.submitIntents.create(null, { ...recipe, args: ['--comment=mine', 'b.sbatch'] }, [0], false, old);
  const fresh = repos.submitIntents.create('emb-agent:submit=000000000002', recipe, [0], false, Date.now());
  await settle(60_000);
  t.match(repos.submitIntents.get(1), { state: 'failed', error: /never reached Slurm: submit it again/ });
  t.match(repos.submitIntents.get(2), { state: 'failed', error: /your own --comment/ });
  t.equal(repos.submitIntents.get(fresh)?.state, 'pending', 'a recent one waits: its sbatch may still land');
  const lost = repos.events.list({ limit: 10 }).filter((e) => e.kind === 'submit.lost');
  t.equal(lost.length, 2);
  t.equal(lost[0]?.level, 'error');
});

t.test('a checkpoint regex RE2 cannot run is refused before anything is written or sent', async (t) => {
  const { repos, fake, submit, sbatchCalls } = setup(t);
  fake.set('sbatch', { stdout: '4242\n' });
  await t.rejects(submit(['b.sbatch'], { checkpointRegex: '(saved)\\1' }), {
    code: 'AGENT_ERR_BAD_REQUEST',
    message: /^--checkpoint-regex: .*linear time/,
  });
  t.equal(sbatchCalls().length, 0);
  t.same(repos.submitIntents.pending(), []);
});

t.test('adopt refuses a pattern RE2 cannot run before asking Slurm anything', async (t) => {
  const { fake, deps } = setup(t);
  fake.set('sacct', { stdout: '' });
  await t.rejects(adoptJob(deps, { jobId: '1234', doneMarker: 'log:(?<=done )ok' }), {
    code: 'AGENT_ERR_BAD_REQUEST',
    message: /^--done-marker log:PATTERN: .*linear time/,
  });
  t.same(fake.calls(), [], 'no scheduler command ran');
});
