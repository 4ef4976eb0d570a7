// A real Slurm array writes shards and log lines; LogWatch and ShardWatch report what they wrote: shard counts
// per task, the checkpoint and progress lines, the diagnosis, and the end banner of a cancelled task.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import t from 'tap';
import { systemClock } from '../../agent/clock.js';
import { Diagnoser } from '../../agent/diagnose/diagnose.js';
import { silentLogger } from '../../agent/log.js';
import { LogWatch, type LogEvent } from '../../agent/logs/log-watch.js';
import { ShardStore } from '../../agent/shards/store.js';
import { ShardWatch } from '../../agent/shards/shard-watch.js';
import { requireCluster, runSlurm, sacctState, sbatch, waitFor } from '../helpers/cluster.js';

const MIGRATION = path.resolve(import.meta.dirname, '../../migrations/0002-shard-samples.sql');

// Tasks 0 and 1 write three shards, a checkpoint line and a quota error, and fail; task 2 writes one shard
// and sleeps until the test cancels it, so Slurm writes its CANCELLED banner into the log.
const SCRIPT = `#!/bin/bash
out="$SHARD_DIR"
i=$SLURM_ARRAY_TASK_ID
n=3; [ "$i" = 2 ] && n=1
for s in $(seq 1 $n); do
  name="shard-$i-$(printf %06d $s).tar"
  head -c 100 /dev/zero > "$out/.$name"
  mv "$out/.$name" "$out/$name"
  echo "Wrote shard $name"
  sleep 1
done
if [ "$i" = 2 ]; then sleep 300; fi
echo "Received SIGTERM, saving checkpoint to state/task-$i.pt"
echo "OSError: [Errno 122] Disk quota exceeded: '$out/shard-$i-000004.tar'" >&2
exit 1
`;

if (await requireCluster(t)) {
  t.test('shards and log lines written by a Slurm array reach ShardWatch and LogWatch', async (t) => {
    const dir = t.testdir();
    const shards = path.join(dir, 'outputs', 'shards', 'aef');
    const logs = path.join(dir, 'logs');
    mkdirSync(shards, { recursive: true });
    mkdirSync(logs);
    writeFileSync(path.join(dir, 'build.sbatch'), SCRIPT, { mode: 0o755 });

    const db = new BetterSqlite3(':memory:');
    db.exec(readFileSync(MIGRATION, 'utf8'));
    t.teardown(() => db.close());
    const shardWatch = new ShardWatch({
      clock: systemClock,
      logger: silentLogger(),
      store: new ShardStore(db),
      dirs: [{ path: `${path.join(dir, 'outputs', 'shards')}/*`, pattern: '*.tar', target: 7 }],
      pollSeconds: 1,
      rateWindowMinutes: 60,
      purgeDays: 21,
    });
    const events: LogEvent[] = [];
    const logWatch = new LogWatch({
      clock: systemClock,
      logger: silentLogger(),
      diagnoser: new Diagnoser(),
      onLogEvent: (e) => events.push(e),
      pollSeconds: 1,
      mode: 'poll',
    });
    await shardWatch.start();
    await logWatch.start();
    t.teardown(() => Promise.all([shardWatch.stop(), logWatch.stop()]));

    const id = await sbatch(
      [
        '--array=0-2',
        '--job-name=emb-watch-test',
        `--output=${path.join(logs, '%x_%A_%a.out')}`,
        `--export=ALL,SHARD_DIR=${shards}`,
        path.join(dir, 'build.sbatch'),
      ],
      { cwd: dir },
    );
    // The tracker would take these paths from squeue; here they follow from --output. Tracked before they exist.
    const logOf = (i: number) => path.join(logs, `emb-watch-test_${id}_${i}.out`);
    for (const i of [0, 1, 2]) logWatch.track(`${id}_${i}`, [logOf(i)]);

    await waitFor(async () => shardWatch.status()[0]?.perTask.find((p) => p.index === 2), {
      timeoutMs: 120_000,
      what: 'task 2 to write its shard',
    });
    await runSlurm('scancel', [`${id}_2`]);
    await waitFor(
      async () => {
        const states = Object.values(await sacctState(id));
        return states.length === 3 && states.every((s) => /^(FAILED|CANCELLED)/.test(s));
      },
      { timeoutMs: 120_000, what: `array ${id} to end` },
    );

    const st = await waitFor(
      async () => {
        // The watch's own loop (every second) counts them, then stats them for their bytes.
        const [s] = shardWatch.status();
        return s?.count === 7 && s.bytesPending === 0 ? s : undefined;
      },
      { timeoutMs: 90_000, what: 'seven shards' },
    );
    t.equal(path.basename(st.dir), 'aef', 'the folder was found under outputs/shards/*');
    t.equal(st.bytes, 700);
    t.same(
      st.perTask.map((p) => [p.index, p.count]),
      [
        [0, 3],
        [1, 3],
        [2, 1],
      ],
    );
    t.equal(st.etaSeconds, 0, 'the target of 7 is reached');
    t.equal(shardWatch.shardsSince(1, Date.now() - 600_000), 3, 'task 1 made progress in this attempt');

    for (const i of [0, 1]) {
      const s = await logWatch.flush(`${id}_${i}`);
      t.equal(s.checkpointSeen, true, `task ${i}: checkpoint seen`);
      t.equal(s.progressLines, 3, `task ${i}: three progress lines`);
      t.equal(s.diagnosis?.cause, 'disk-quota', `task ${i}: diagnosed`);
      t.equal(s.endLine, null, `task ${i}: no Slurm banner for a script that exits by itself`);
    }
    const cancelled = await waitFor(
      async () => {
        const s = await logWatch.flush(`${id}_2`);
        return s.endLine ? s : undefined;
      },
      { timeoutMs: 90_000, what: "task 2's CANCELLED banner" },
    );
    t.match(cancelled.endLine, new RegExp(`\\*\\*\\* JOB \\d+ ON \\S+ CANCELLED AT`));
    t.equal(cancelled.diagnosis?.cause, 'cancelled');
    t.equal(cancelled.checkpointSeen, false);

    const kinds = (key: string) => events.filter((e) => e.key === key).map((e) => e.kind);
    t.ok(
      kinds(`${id}_0`).includes('checkpoint') && kinds(`${id}_0`).includes('diagnosis'),
      'events for task 0',
    );
    t.ok(kinds(`${id}_2`).includes('end'), 'an end event for the cancelled task');
    t.match(await logWatch.tail(`${id}_1`, 4096), /Disk quota exceeded/, 'the log can be tailed');
  });
}
