// The one slow test: a real one-minute time limit expires (Slurm signals at the limit, or up to 60 s
// early) and the task is resumed to completion.
import t from 'tap';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster } from '../helpers/cluster.js';
import { duplicatesWritten, shards, submitBuilder, taskIn } from '../helpers/resume-harness.js';

t.test('a real time-limit expiry (--time=1) is resumed', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, {
    array: '0',
    time: '1',
    markers: ['--done-marker', 'out/done-{index}', '--progress', 'out/shard-{index}-*.tar'],
    env: { SHARDS: '5', STEP: '20' },
  });
  const done = await taskIn(agent, jobId, 0, ['done', 'failed', 'stalled', 'exhausted'], 420_000);
  t.equal(done.state, 'done');
  t.ok(done.attempts >= 2, `resumed after the limit (${done.attempts} attempts)`);
  t.equal(shards(agent, 0).length, 5);
  t.notOk(duplicatesWritten(agent));
});
