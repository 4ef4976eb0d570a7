// A pipeline file on a real Slurm: applied twice it submits each step once, a step changed after it was
// applied is reported and not resubmitted, and the second step reaches Slurm only after the first is done.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import type { PipelineReply } from '../../agent/pipeline/api.js';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';

function jobsNamed(name: string): string[] {
  const out = execFileSync(
    'sacct',
    ['-X', '--parsable2', '--noheader', '--starttime=now-2hours', `--name=${name}`, '--format=JobID'],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

/** The jobs of this name once sacct has any (slurmdbd may record a job after it ended). */
async function accounted(name: string): Promise<string[]> {
  return waitFor(async () => (jobsNamed(name).length ? jobsNamed(name) : null), {
    timeoutMs: 60_000,
    intervalMs: 1000,
    what: `sacct knowing ${name}`,
  });
}

t.test('a pipeline applied twice submits once; a changed step is reported, not resubmitted', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const tag = `${process.pid}-${Date.now()}`;
  const step = (name: string, wrap: string, after: string[] = []) => ({
    sbatch: ['-J', `${name}-${tag}`, '-t', '5', '-o', 'work/logs/%x_%j.out', '--wrap', wrap],
    ...(after.length ? { after } : {}),
  });
  const doc = {
    pipeline: `p-${tag}`,
    steps: {
      second: step('second', 'echo second', ['first']),
      first: step('first', 'sleep 4; echo first'),
    },
  };
  const file = path.join(agent.dir, 'pipeline.yaml');
  writeFileSync(file, stringify(doc));
  const apply = () => agent.clientJson<PipelineReply>(['pipeline', 'apply', file]);

  const one = await apply();
  t.same(
    one.steps.map((s) => [s.step, s.action]),
    [
      ['first', 'submitted'],
      ['second', 'submitted'],
    ],
  );
  const two = await apply();
  t.same(
    two.steps.map((s) => [s.step, s.action, s.submissionId]),
    one.steps.map((s) => [s.step, 'unchanged', s.submissionId]),
    'applied again: the same submissions, nothing new',
  );

  doc.steps.second = step('second', 'echo changed', ['first']);
  writeFileSync(file, stringify(doc));
  const three = await apply();
  const second = three.steps.find((s) => s.step === 'second');
  t.equal(second?.action, 'changed', 'a changed step is reported');
  t.match(three.warnings.join('\n'), /step second changed since it was applied/);

  const secondId = one.steps.find((s) => s.step === 'second')?.submissionId;
  const firstId = one.steps.find((s) => s.step === 'first')?.submissionId;
  // While the first runs, the second waits for it.
  const early = await agent.clientJson<PipelineReply>(['pipeline', 'status', file]);
  const earlySecond = early.steps.find((s) => s.step === 'second');
  t.ok(
    earlySecond?.waiting !== undefined || (early.steps[0]?.counts['done'] ?? 0) === 1,
    'the second waits until the first is done',
  );

  const done = await waitFor(
    async () => {
      const s = await agent.clientJson<PipelineReply>(['pipeline', 'status', file]);
      return s.steps.every((x) => (x.counts['done'] ?? 0) === 1) ? s : null;
    },
    { timeoutMs: 180_000, intervalMs: 1000, what: 'both steps done' },
  );
  t.same(
    done.steps.map((s) => s.submissionId),
    [firstId, secondId],
  );
  t.equal((await accounted(`first-${tag}`)).length, 1, 'the first step ran once');
  t.equal((await accounted(`second-${tag}`)).length, 1, 'the second step ran once');
  const log = await agent.client(['show', `#${secondId}`]);
  t.match(log.stdout, /sent after waiting/, 'show tells how it was sent');
});
