// Marker patterns as a new user writes them, on a real Slurm: the README's first steps from a project
// folder (relative patterns land beside the job, so the reply warns and names the work-root path), a `*`
// in a folder part, `{index}` as a whole number, and jobDefaults found by the script's file name with `~`.
import t from 'tap';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import { JOB, runningWithShards, signalBatch, taskIn } from '../helpers/resume-harness.js';

async function submit(
  agent: Awaited<ReturnType<typeof startAgent>>,
  cwd: string,
  markers: string[],
  env: Record<string, string>,
) {
  const r = await agent.client(
    [
      'submit',
      ...markers,
      '--',
      '--array=1',
      '-o',
      path.join(agent.dir, 'work/logs/%x_%A_%a.out'),
      '-t',
      '10',
      JOB,
    ],
    { cwd, env },
  );
  if (r.code !== 0) throw new Error(`submit failed: ${r.stderr}`);
  return { reply: r.stdout, jobId: /job (\d+)/.exec(r.stdout)?.[1] as string };
}

t.test(
  'relative patterns from a project folder: the reply names the resolved path and the likely one',
  async (t) => {
    if (!(await requireCluster(t))) return;
    const dir = t.testdir();
    const agent = await startAgent(dir);
    t.teardown(() => agent.stop());
    const project = path.join(dir, 'project');
    mkdirSync(project);
    mkdirSync(path.join(dir, 'work/outputs/shards/aef'), { recursive: true });
    const { reply } = await submit(
      agent,
      project,
      ['--done-marker', 'outputs/shards/aef/done-{index}', '--progress', 'outputs/shards/aef/*{index}*.tar'],
      { OUT_DIR: path.join(dir, 'work/outputs/shards/aef'), SHARDS: '1', STEP: '0' },
    );
    t.match(reply, `progress:    ${path.join(project, 'outputs/shards/aef/*{index}*.tar')}`);
    t.match(reply, `warning: --progress outputs/shards/aef/*{index}*.tar resolves to ${project}`);
    t.match(reply, `did you mean ${path.join(dir, 'work/outputs/shards/aef/*{index}*.tar')}`);
  },
);

t.test("a * in a folder part counts, and another task's shards do not", async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const out = path.join(dir, 'out/aef');
  mkdirSync(out, { recursive: true });
  const markers = ['--done-marker', 'out/*/done-{index}', '--progress', 'out/*/shard-{index}-*.tar'];
  // Three shards 5 s apart: the task is signalled after its first, well before it could finish alone.
  const { jobId } = await submit(agent, dir, markers, { OUT_DIR: out, SHARDS: '3', STEP: '5' });
  const first = await runningWithShards(agent, jobId, 1, 0);
  // Task 10's shard, written now: `{index}` must not let task 1 count it as progress.
  writeFileSync(path.join(out, 'shard-10-00000.tar'), 'x');
  await waitFor(async () => existsSync(path.join(out, 'shard-1-00000.tar')) || null, {
    timeoutMs: 60_000,
    what: "task 1's first shard",
  });
  signalBatch(first.jobId as string);
  const done = await taskIn(agent, jobId, 1, ['done', 'stalled', 'failed'], 180_000);
  t.equal(done.state, 'done', `resumed through the folder glob and finished: ${done.reason}`);
  t.equal(done.attempts, 2);
});

t.test('jobDefaults by the script file name, ~ expanded; no progress of its own: stalled', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(
    dir,
    {
      resume: {
        batchWindowSeconds: 1,
        jobDefaults: {
          'shard-builder.sbatch': {
            doneMarker: '~/out/*/done-{index}',
            progress: '~/out/*/shard-{index}-*.tar',
          },
        },
      },
    },
    { HOME: dir },
  );
  t.teardown(() => agent.stop());
  const out = path.join(dir, 'out/aef');
  mkdirSync(out, { recursive: true });
  const { jobId } = await submit(agent, dir, [], { OUT_DIR: out, SHARDS: '3', STEP: '600' });
  const task = await taskIn(agent, jobId, 1, ['running']);
  writeFileSync(path.join(out, 'shard-10-00000.tar'), 'x');
  writeFileSync(path.join(out, 'shard-0001-00000.tar'), 'x');
  await new Promise((r) => setTimeout(r, 1500));
  signalBatch(task.jobId as string);
  const stalled = await taskIn(agent, jobId, 1, ['stalled', 'done', 'failed', 'resuming', 'queued']);
  t.equal(stalled.state, 'stalled', 'shard-10 and shard-0001 are not task 1 progress');
  const d = await agent.clientJson<{ markers: { resolved: { doneMarker: string } } }>(['show', jobId]);
  t.equal(d.markers.resolved.doneMarker, path.join(dir, 'out/*/done-{index}'));
});
