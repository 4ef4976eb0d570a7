// Hints agree with the decision's facts, on a real Slurm: the pre-wall-time signal makes Slurm write a
// "*** JOB N ... CANCELLED AT ... ***" line although sacct says COMPLETED and the task is resumed, and a
// real scancel names the person who cancelled, not a uid.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, runSlurm } from '../helpers/cluster.js';
import { detail, runningWithShards, signalBatch, submitBuilder, taskIn } from '../helpers/resume-harness.js';

const MARKERS = ['--done-marker', 'out/done-{index}', '--progress', 'out/shard-{index}-*.tar'];

t.test('a checkpointed task signalled before its wall-time carries no "cancelled" hint', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, { array: '0', markers: MARKERS, env: { SHARDS: '3', STEP: '3' } });
  const first = await runningWithShards(agent, jobId, 0, 1);
  signalBatch(first.jobId as string);
  const resumed = await taskIn(agent, jobId, 0, [
    'resuming',
    'queued',
    'running',
    'done',
    'failed',
    'stalled',
  ]);
  t.not(resumed.diagnosis?.cause, 'cancelled', 'no cancelled hint right after the resume decision');
  const done = await taskIn(agent, jobId, 0, ['done'], 180_000);
  t.equal(done.attempts, 2);
  t.equal(done.diagnosis, null);
  const d = await detail(agent, jobId);
  const cancelledHints = d.events.filter(
    (e) => e.data?.['cause'] === 'cancelled' || e.data?.['diagnosis'] === 'cancelled',
  );
  t.same(cancelledHints, [], 'no event calls it cancelled');
  const logs = readdirSync(path.join(agent.dir, 'work/logs')).map((f) =>
    readFileSync(path.join(agent.dir, 'work/logs', f), 'utf8'),
  );
  // Not every Slurm writes the banner for a --batch signal; the test is only as strong as this check.
  if (logs.some((l) => /\*\*\* JOB \d+ .*CANCELLED AT/.test(l))) t.pass('Slurm wrote its CANCELLED banner');
  else t.comment('this Slurm wrote no CANCELLED banner on the signal');
});

t.test('a task cancelled with scancel names the user who cancelled it', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, {
    array: '0',
    markers: MARKERS,
    env: { SHARDS: '3', STEP: '60' },
  });
  const task = await taskIn(agent, jobId, 0, ['running']);
  await runSlurm('scancel', [task.jobId as string]);
  const failed = await taskIn(agent, jobId, 0, ['failed', 'done', 'resuming', 'stalled']);
  t.equal(failed.state, 'failed');
  t.equal(failed.diagnosis?.cause, 'cancelled');
  const me = os.userInfo();
  t.match(failed.diagnosis?.hint, `Cancelled by ${me.username} (uid ${me.uid})`);
  t.match(failed.reason, `cancelled by ${me.username} (uid ${me.uid})`);
});
