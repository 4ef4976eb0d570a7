// What a user sees of the watchers through emb-client: shard progress with a target, the tail of a
// task's log, and a quota failure's cause and fix in `ls`.
import t from 'tap';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import { submitBuilder, taskIn } from '../helpers/resume-harness.js';

interface Shards {
  dir: string;
  count: number;
  target: number | null;
  perTask: { index: number; count: number }[];
}

t.test('shards, logs and a diagnosis through emb-client', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir, {
    watch: { pollSeconds: 1, shardDirs: [{ path: path.join(dir, 'out'), target: 6 }] },
  });
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, { array: '0-1', env: { SHARDS: '3', STEP: '1' } });
  await taskIn(agent, jobId, 0, ['done']);
  await taskIn(agent, jobId, 1, ['done']);
  const shards = await waitFor(
    async () => {
      const list = await agent.clientJson<Shards[]>(['shards']);
      const s = list.find((x) => x.dir === path.join(dir, 'out'));
      return s && s.count === 6 ? s : null;
    },
    { timeoutMs: 90_000, what: 'six shards counted' },
  );
  t.equal(shards.target, 6);
  t.same(
    shards.perTask.map((p) => [p.index, p.count]),
    [
      [0, 3],
      [1, 3],
    ],
    'per task, from the index in the names',
  );
  const table = await agent.client(['shards']);
  t.equal(table.code, 0);
  t.match(table.stdout, /6/, 'the table shows the count');
  const logs = await agent.client(['logs', `${jobId}_1`]);
  t.equal(logs.code, 0, logs.stderr);
  t.match(logs.stdout, /worker 1: all shards written/);
  const outside = await agent.client(['logs', '999999']);
  t.not(outside.code, 0, 'nothing but tracked logs is served');

  const quota = await submitBuilder(agent, {
    array: '0',
    env: { FAIL_WITH: 'OSError: [Errno 122] Disk quota exceeded' },
  });
  const failed = await taskIn(agent, quota, 0, ['failed']);
  t.equal(failed.diagnosis?.cause, 'disk-quota');
  const ls = await agent.client(['ls']);
  t.match(ls.stdout, /disk-quota/, 'ls shows the cause');
  t.match(
    ls.stdout,
    new RegExp(failed.diagnosis?.hint.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') ?? 'x'),
    'and the fix',
  );
});
