// Proves the test cluster and its helper: a small array runs, its tasks end COMPLETED in sacct, logs appear.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { requireCluster, sacctState, sbatch, waitFor } from '../helpers/cluster.js';

if (await requireCluster(t)) {
  t.test('a 3-task array ends COMPLETED in sacct', async (t) => {
    const dir = t.testdir();
    const id = await sbatch(
      [
        '--array=0-2',
        '--job-name=emb-cluster-test',
        `--output=${join(dir, '%x_%A_%a.out')}`,
        '--wrap=echo task $SLURM_ARRAY_TASK_ID',
      ],
      { cwd: dir },
    );
    t.match(id, /^\d+$/, 'sbatch gives a numeric job id');

    const states = await waitFor(
      async () => {
        const s = await sacctState(id);
        const values = Object.values(s);
        return values.length === 3 && values.every((v) => v === 'COMPLETED') ? s : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: `array ${id} to be COMPLETED in sacct` },
    );
    t.same(Object.keys(states).sort(), [`${id}_0`, `${id}_1`, `${id}_2`], 'one sacct row per task');

    const log = await readFile(join(dir, `emb-cluster-test_${id}_1.out`), 'utf8');
    t.equal(log.trim(), 'task 1', 'task 1 wrote its own log');
  });

  t.test('sacct shows nothing for an unknown job', async (t) => {
    t.same(await sacctState('999999999'), {});
  });
}
