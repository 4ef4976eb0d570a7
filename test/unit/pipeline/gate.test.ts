// The gate on a real database, with fake sbatch/squeue/sacct executables: a waiting submission is sent once,
// only when every task of its prerequisites is done; a failed one blocks it until release; cancel drops it;
// a refused send waits for the user; a pipeline applied twice records its steps once.
import t, { type Test } from 'tap';
import path from 'node:path';
import { systemClock } from '../../../agent/clock.js';
import { submitRecipe } from '../../../agent/commands/submit.js';
import { silentLogger } from '../../../agent/log.js';
import { SlurmAdapter } from '../../../agent/slurm/adapter.js';
import { FakeSlurm } from '../../helpers/fake-slurm.js';
import { openRepos } from '../../helpers/http-fixtures.js';
import { TaskLife } from '../../../agent/tasks/life.js';
import { decided } from '../../../agent/tasks/decided.js';
import { loadSubmission } from '../../../agent/tasks/load.js';
import { waitOf } from '../../../agent/tasks/waits.js';
import { WaitGate } from '../../../agent/pipeline/gate.js';
import { Pipelines } from '../../../agent/pipeline/apply.js';
import { refusal } from '../../../agent/preflight/scheduler.js';

function setup(t: Test) {
  const dir = t.testdir({ 'b.sbatch': '#!/bin/sh\n#SBATCH --time=10\nsleep 1\n' });
  const fake = new FakeSlurm(dir);
  const repos = openRepos(path.join(dir, 'db'));
  const life = new TaskLife({ repos, clock: systemClock, logger: silentLogger() });
  const deps = {
    repos,
    life,
    scheduler: new SlurmAdapter({ timeoutMs: 5000, binDir: dir, logger: silentLogger() }),
    clock: systemClock,
    logger: silentLogger(),
    jobDefaults: {},
    paths: { workRoot: dir, user: 'alice', home: dir },
    onSubmitted() {},
  };
  const gate = new WaitGate({ submit: deps, clock: systemClock, logger: silentLogger(), pollMs: 3_600_000 });
  gate.start();
  t.teardown(() => gate.stop());
  const sbatchCalls = () => fake.calls().filter((c) => c[0] === 'sbatch').length;
  /** Every task of the submission decided as `state`. */
  const end = (submissionId: number, state: 'done' | 'failed') => {
    const sub = loadSubmission(repos, submissionId);
    for (const task of repos.tasks.bySubmission(submissionId)) {
      const a = repos.attempts.latestForTask(task.id);
      if (!a) throw new Error('no attempt');
      decided(life, sub, task, a, {
        decision: state,
        reason: state,
        state,
        level: 'info',
        diagnosis: null,
        facts: { checkpointSeen: false, progressMade: null, doneMarkerPresent: null },
      });
    }
  };
  const kinds = (id: number) => repos.events.list({ submissionId: id, limit: 100 }).map((e) => e.kind);
  return { dir, fake, repos, life, deps, gate, sbatchCalls, end, kinds };
}

t.test('sent once, only when every task of the prerequisite is done', async (t) => {
  const { dir, fake, repos, deps, gate, sbatchCalls, end, kinds } = setup(t);
  fake.set('sbatch', { stdout: '100\n' });
  const pre = await submitRecipe(deps, { args: ['--array=0-1', 'b.sbatch'], cwd: dir, env: {} });
  const reply = await gate.submitAfter({ args: ['b.sbatch'], cwd: dir, env: {}, after: ['100'] });
  t.equal(reply.jobId, '');
  t.match(reply.waiting, { state: 'waiting', reason: 'waits for #1', blocked: false });
  const id = reply.submissionId as number;
  t.equal(sbatchCalls(), 1, 'nothing sent');
  await gate.check();
  t.equal(sbatchCalls(), 1, 'still nothing while the prerequisite runs');
  t.match(waitOf(deps.life, id)?.reason, 'waits for #1: 0 of 2 task(s) done');

  fake.set('sbatch', { stdout: '200\n' });
  end(pre.submissionId as number, 'done');
  await gate.check();
  t.equal(sbatchCalls(), 2, 'sent');
  t.equal(repos.submissions.get(id)?.firstJobId, '200', 'into the waiting submission');
  t.equal(repos.tasks.bySubmission(id).length, 1);
  t.equal(waitOf(deps.life, id)?.state, 'sent');
  await gate.check();
  t.equal(sbatchCalls(), 2, 'never twice');
  t.ok(kinds(id).includes('wait.created') && kinds(id).includes('submission.created'));
});

t.test('a failed prerequisite blocks it; release sends it', async (t) => {
  const { dir, fake, deps, gate, sbatchCalls, end, kinds } = setup(t);
  fake.set('sbatch', { stdout: '100\n' });
  const pre = await submitRecipe(deps, { args: ['b.sbatch'], cwd: dir, env: {} });
  const { submissionId } = await gate.submitAfter({ args: ['b.sbatch'], cwd: dir, env: {}, after: ['#1'] });
  const id = submissionId as number;
  end(pre.submissionId as number, 'failed');
  await gate.check();
  const w = waitOf(deps.life, id);
  t.equal(w?.blocked, true);
  t.match(w?.reason, `#1: 0 of 1 task(s) done, 1 failed; \`emb-client release #${id}\``);
  t.ok(kinds(id).includes('wait.blocked'));
  t.equal(sbatchCalls(), 1);
  fake.set('sbatch', { stdout: '300\n' });
  t.match(gate.release(`#${id}`), { submissionId: id });
  await gate.check();
  t.equal(sbatchCalls(), 2, 'released: sent');
  t.equal(gate.release(`#${id}`), null, 'a sent one is no longer released here');
});

t.test('cancel drops a waiting submission; its dependents are blocked', async (t) => {
  const { dir, fake, deps, gate, sbatchCalls, end } = setup(t);
  fake.set('sbatch', { stdout: '100\n' });
  const pre = await submitRecipe(deps, { args: ['b.sbatch'], cwd: dir, env: {} });
  const a = (await gate.submitAfter({ args: ['b.sbatch'], cwd: dir, env: {}, after: ['100'] })).submissionId;
  const b = (await gate.submitAfter({ args: ['b.sbatch'], cwd: dir, env: {}, after: [`#${a}`] }))
    .submissionId;
  t.match(gate.dropTarget(`#${a}`, 'alice'), { submissionId: a });
  t.equal(gate.dropTarget('100', 'alice'), null, 'a sent submission is cancelled the usual way');
  end(pre.submissionId as number, 'done');
  await gate.check();
  t.equal(sbatchCalls(), 1, 'the dropped one is never sent');
  t.equal(waitOf(deps.life, a as number)?.state, 'dropped');
  t.match(waitOf(deps.life, b as number), { blocked: true, reason: /cancelled before it was sent/ });
});

t.test('a refused send waits for the user, then release tries again', async (t) => {
  const { dir, fake, deps, gate, sbatchCalls, kinds } = setup(t);
  fake.set('sbatch', { stdout: '100\n' });
  await submitRecipe(deps, { args: ['b.sbatch'], cwd: dir, env: {} });
  const id = (await gate.submitAfter({ args: ['b.sbatch'], cwd: dir, env: {}, after: ['100'] }))
    .submissionId as number;
  t.ok(gate.release(`#${id}`));
  fake.set('sbatch', { stderr: 'sbatch: error: Batch job submission failed: Invalid account\n', exit: 1 });
  await gate.check();
  const w = waitOf(deps.life, id);
  t.match(w, { state: 'waiting', released: false, failed: /Invalid account/ });
  t.ok(kinds(id).includes('wait.refused'));
  await gate.check();
  t.equal(sbatchCalls(), 2, 'not tried again on its own');
  fake.set('sbatch', { stdout: '400\n' });
  gate.release(`#${id}`);
  await gate.check();
  t.equal(deps.repos.submissions.get(id)?.firstJobId, '400');
});

t.test('a pipeline applied twice records and sends its steps once', async (t) => {
  const { dir, fake, deps, gate, sbatchCalls } = setup(t);
  const pipelines = new Pipelines({ submit: deps, gate });
  const text = `pipeline: p\nsteps:\n  b: {sbatch: [b.sbatch], after: [a]}\n  a: {sbatch: [b.sbatch]}\n`;
  fake.set('sbatch', { stdout: '500\n' });
  const one = await pipelines.apply({ text, dir, env: {} });
  t.same(
    one.steps.map((s) => [s.step, s.action]),
    [
      ['a', 'submitted'],
      ['b', 'submitted'],
    ],
  );
  const two = await pipelines.apply({ text, dir, env: {} });
  t.same(
    two.steps.map((s) => s.action),
    ['unchanged', 'unchanged'],
  );
  await gate.check();
  t.equal(sbatchCalls(), 1, 'only the step without prerequisites is sent');
  const status = pipelines.status({ text, dir });
  t.match(status.steps[1], { step: 'b', action: 'waiting', waiting: { reason: /waits for #1/ } });
  const changed = await pipelines.apply({
    text: text.replace('[b.sbatch], after', '[b.sbatch, x], after'),
    dir,
    env: {},
  });
  t.match(changed.steps[1], { action: 'changed', changed: true });
  t.match(changed.warnings.join(), /step b changed/);
});

t.test(
  'a refusal by the site rules is heard at submit and apply time, and nothing is recorded',
  async (t) => {
    const { dir, fake, deps, repos } = setup(t);
    const gate = new WaitGate({
      submit: deps,
      clock: systemClock,
      logger: silentLogger(),
      pollMs: 3_600_000,
      checkFirst: (body) =>
        body.args.includes('--mem=8G')
          ? Promise.reject(refusal(['[normal] --mem is not allowed: drop it']))
          : Promise.resolve(),
    });
    fake.set('sbatch', { stdout: '100\n' });
    await submitRecipe(deps, { args: ['b.sbatch'], cwd: dir, env: {} });
    await t.rejects(gate.submitAfter({ args: ['--mem=8G', 'b.sbatch'], cwd: dir, env: {}, after: ['100'] }), {
      code: 'AGENT_ERR_PREFLIGHT_REFUSED',
      message: /^not kept back: preflight: .*--mem is not allowed/,
    });
    const pipelines = new Pipelines({ submit: deps, gate });
    const text = `pipeline: p\nsteps:\n  a: {sbatch: [b.sbatch]}\n  b: {sbatch: [--mem=8G, b.sbatch], after: [a]}\n`;
    await t.rejects(pipelines.apply({ text, dir, env: {} }), {
      message: /^step b: nothing was applied: preflight: .*--mem/,
    });
    t.equal(repos.submissions.list().length, 1, 'nothing recorded but the first submit');
  },
);
