// The resume contract on a real Slurm: the pre-wall-time SIGTERM is delivered by hand
// (scancel --signal=TERM --batch) so these run in seconds, not minutes.
import t from 'tap';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster } from '../helpers/cluster.js';
import {
  detail,
  duplicatesWritten,
  recordedAttempts,
  runningWithShards,
  sacctTasksFrom,
  shards,
  signalBatch,
  submitBuilder,
  submission,
  taskIn,
} from '../helpers/resume-harness.js';

const MARKERS = ['--done-marker', 'out/done-{index}', '--progress', 'out/shard-{index}-*.tar'];

t.test(
  'a graceful exit after SIGTERM is resumed until the done marker appears, every shard once',
  async (t) => {
    if (!(await requireCluster(t))) return;
    const agent = await startAgent(t.testdir());
    t.teardown(() => agent.stop());
    const jobId = await submitBuilder(agent, {
      array: '0-1',
      markers: MARKERS,
      env: { SHARDS: '4', STEP: '2' },
    });
    for (const index of [0, 1]) {
      const task = await runningWithShards(agent, jobId, index, 1);
      signalBatch(task.jobId as string);
    }
    for (const index of [0, 1]) {
      const done = await taskIn(agent, jobId, index, ['done'], 180_000);
      t.equal(done.attempts, 2, `task ${index} took two attempts`);
      t.equal(shards(agent, index).length, 4, `task ${index} wrote each of its 4 shards`);
    }
    t.notOk(duplicatesWritten(agent), 'no shard was written twice');
    const d = await detail(agent, jobId);
    t.ok(
      d.events.some((e) => e.kind === 'decision' && /resume/.test(e.message)),
      'the resume decision is in the history',
    );
    t.same(
      await recordedAttempts(agent, jobId),
      sacctTasksFrom(agent.dir, agent.startedAt),
      'recorded attempts equal the jobs sacct knows',
    );
  },
);

t.test('no progress since the attempt started: stalled, not resubmitted', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, {
    array: '0',
    markers: MARKERS,
    env: { SHARDS: '3', STEP: '600' },
  });
  const task = await taskIn(agent, jobId, 0, ['running']);
  await new Promise((r) => setTimeout(r, 1500));
  signalBatch(task.jobId as string);
  const stalled = await taskIn(agent, jobId, 0, ['stalled', 'done', 'failed', 'queued']);
  t.equal(stalled.state, 'stalled');
  t.match(stalled.reason, /no progress/);
  t.equal(stalled.attempts, 1);
});

t.test('a failure with an error in the log: failed with a diagnosis, not resubmitted', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, {
    array: '0',
    markers: MARKERS,
    env: {
      FAIL_WITH: "OSError: [Errno 122] Disk quota exceeded: '/cluster/projects/nn12037k/emb/outputs/x.tar'",
    },
  });
  const failed = await taskIn(agent, jobId, 0, ['failed', 'done', 'resuming', 'stalled']);
  t.equal(failed.state, 'failed');
  t.equal(failed.diagnosis?.cause, 'disk-quota');
  t.ok(failed.diagnosis?.hint, 'with a hint');
  await new Promise((r) => setTimeout(r, 4000));
  const later = (await submission(agent, jobId))?.tasks[0];
  t.equal(later?.attempts, 1, 'never resubmitted');
});

t.test('the attempt cap: exhausted after --max-attempts', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, {
    array: '0',
    markers: [...MARKERS, '--max-attempts', '2'],
    env: { SHARDS: '50', STEP: '1' },
  });
  for (const n of [1, 3]) {
    const task = await runningWithShards(agent, jobId, 0, n);
    signalBatch(task.jobId as string);
    await taskIn(agent, jobId, 0, ['queued', 'running', 'resuming', 'exhausted']);
    if (n === 1) await taskIn(agent, jobId, 0, ['running']);
  }
  const ex = await taskIn(agent, jobId, 0, ['exhausted', 'done', 'failed', 'stalled']);
  t.equal(ex.state, 'exhausted');
  t.equal(ex.attempts, 2);
  t.match(ex.reason, /2 of 2/);
});

t.test('hold and release', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, { array: '0', markers: MARKERS, env: { SHARDS: '3', STEP: '3' } });
  const task = await runningWithShards(agent, jobId, 0, 1);
  const hold = await agent.client(['hold', jobId]);
  t.equal(hold.code, 0, hold.stderr);
  signalBatch(task.jobId as string);
  const held = await taskIn(agent, jobId, 0, ['held', 'queued', 'done']);
  t.equal(held.state, 'held');
  t.equal(held.attempts, 1);
  const rel = await agent.client(['release', jobId]);
  t.equal(rel.code, 0, rel.stderr);
  const done = await taskIn(agent, jobId, 0, ['done'], 120_000);
  t.equal(done.attempts, 2);
  t.equal(shards(agent, 0).length, 3);
});

t.test('a throttled array is resumed as one sbatch with its throttle', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir(), { resume: { batchWindowSeconds: 12 } });
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, {
    array: '0-3%2',
    markers: MARKERS,
    env: { SHARDS: '5', STEP: '3' },
  });
  const a = await runningWithShards(agent, jobId, 0, 1);
  const b = await runningWithShards(agent, jobId, 1, 1);
  signalBatch(a.jobId as string);
  signalBatch(b.jobId as string);
  for (const index of [0, 1, 2, 3]) await taskIn(agent, jobId, index, ['done'], 240_000);
  const d = await detail(agent, jobId);
  const resubs = d.events.filter((e) => e.kind === 'resume.submitted');
  t.equal(resubs.length, 1, 'one sbatch for both indices');
  const args = (resubs[0]?.data?.args ?? []) as string[];
  t.ok(args.includes('--array=0-1%2'), `the throttle is kept: ${args.join(' ')}`);
  t.ok(args.includes(path.join(agent.dir, 'work/logs/%x_%A_%a.out')), 'the rest of the recipe is the same');
  t.notOk(duplicatesWritten(agent));
});
