// Shards written under per-split and per-worker sub-folders count toward their shardDirs entry, through the
// running agent and emb-client, on the real filesystem: a "parent/*/**" entry and a "dir/**" entry.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';

interface Shards {
  dir: string;
  group: string | null;
  count: number;
  perTask: { index: number; count: number }[];
}

function shard(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), Buffer.alloc(64));
}

t.test('nested shard folders are counted toward their entry', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const shards = path.join(dir, 'work/outputs/shards');
  shard(path.join(shards, 'tessera/train'), 'shard-0-000001.tar');
  shard(path.join(shards, 'tessera/worker-07'), 'shard-1-000002.tar');
  shard(path.join(shards, 'aef'), 'shard-0-000003.tar');
  shard(path.join(dir, 'work/other/split/val'), 'shard-2-000004.tar');
  const agent = await startAgent(dir, {
    watch: { pollSeconds: 1, shardDirs: ['outputs/shards/*/**', 'other/**'] },
  });
  t.teardown(() => agent.stop());
  const counts = async () => {
    const list = await agent.clientJson<Shards[]>(['shards']);
    return new Map(list.map((s) => [path.relative(path.join(dir, 'work'), s.dir), s]));
  };
  const first = await waitFor(
    async () => {
      const m = await counts();
      return m.get('outputs/shards/tessera')?.count === 2 && m.get('other')?.count === 1 ? m : null;
    },
    { timeoutMs: 90_000, what: 'nested shards counted' },
  );
  t.equal(first.get('outputs/shards/aef')?.count, 1);
  t.same(
    first.get('outputs/shards/tessera')?.perTask.map((p) => [p.index, p.count]),
    [
      [0, 1],
      [1, 1],
    ],
    'per task, across the sub-folders',
  );

  // A shard in a new sub-folder two levels down, as a worker that starts late writes it.
  shard(path.join(shards, 'tessera/worker-08/part-a'), 'shard-1-000005.tar');
  shard(path.join(dir, 'work/other/split/val'), 'shard-2-000006.tar');
  await waitFor(
    async () => {
      const m = await counts();
      return m.get('outputs/shards/tessera')?.count === 3 && m.get('other')?.count === 2;
    },
    { timeoutMs: 90_000, what: 'shards in a new and in a known sub-folder counted' },
  );
  const table = await agent.client(['shards']);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /tessera/);
});
