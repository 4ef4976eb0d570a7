// Every attempt's log on a real Slurm: after a resume, `logs --attempt 1` and the first attempt's own job id
// show the first log, #N:INDEX the newest, each under a header naming the file.
import t from 'tap';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster } from '../helpers/cluster.js';
import { detail, runningWithShards, signalBatch, submitBuilder, taskIn } from '../helpers/resume-harness.js';

t.test('logs of each attempt, with a header naming the file', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const markers = ['--done-marker', 'out/done-{index}', '--progress', 'out/shard-{index}-*.tar'];
  const jobId = await submitBuilder(agent, { array: '0', markers, env: { SHARDS: '3', STEP: '3' } });
  const first = await runningWithShards(agent, jobId, 0, 1);
  signalBatch(first.jobId as string);
  await taskIn(agent, jobId, 0, ['done'], 180_000);
  const d = await detail(agent, jobId);
  const [a1, a2] = d.tasks[0]!.history.map((h) => h.jobId);
  t.ok(a1 && a2 && a1 !== a2, `two attempts: ${a1}, ${a2}`);

  // The submission's own name for the task (#N:0) means its latest attempt; a job id means that attempt.
  const latest = await agent.client(['logs', `#${d.id}:0`]);
  t.equal(latest.code, 0, latest.stderr);
  t.match(latest.stdout, new RegExp(`^==> \\S+\\.out \\(attempt 2 of 2, job ${a2}\\) <==\\n`));
  t.match(latest.stdout, /all shards written/);

  const byNumber = await agent.client(['logs', '--attempt', '1', `${jobId}_0`]);
  t.equal(byNumber.code, 0, byNumber.stderr);
  t.match(byNumber.stdout, `(attempt 1 of 2, job ${a1}) <==`);
  t.match(byNumber.stdout, /SIGTERM received, saved checkpoint/);
  t.notMatch(byNumber.stdout, /all shards written/);

  const byOwnId = await agent.client(['logs', a1 as string]);
  t.equal(byOwnId.code, 0, byOwnId.stderr);
  t.match(byOwnId.stdout, `(attempt 1 of 2, job ${a1}) <==`);
  const second = await agent.client(['logs', a2 as string]);
  t.match(second.stdout, `(attempt 2 of 2, job ${a2}) <==`);

  const none = await agent.client(['logs', '--attempt', '3', `${jobId}_0`]);
  t.equal(none.code, 1);
  t.match(none.stderr, /2 attempt\(s\), not 3/);
});
