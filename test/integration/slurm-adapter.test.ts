// The adapter against the real Slurm test cluster (test/slurm/cluster.sh): submit a small array, read it
// back from squeue and sacct, cancel a job. Skipped without a cluster; fails under CI=true without one.
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { silentLogger } from '../../agent/log.js';
import { SlurmAdapter } from '../../agent/slurm/adapter.js';
import { TERMINAL_STATES, type JobRecord } from '../../agent/slurm/types.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';

const user = userInfo().username;
const env = { PATH: '/usr/bin:/bin', HOME: '/tmp' };

t.test('an array submitted through the adapter, read back from squeue and sacct', async (t) => {
  if (!(await requireCluster(t))) return;
  const adapter = new SlurmAdapter({ timeoutMs: 30_000, user, logger: silentLogger() });
  const dir = t.testdir({ logs: {} });
  const tag = `emb:it-${process.pid}-${Date.now()}`;

  const version = await adapter.version();
  t.ok(version.major >= 21, `slurm ${version.text}`);

  const submittedAt = Math.floor(Date.now() / 1000);
  const { jobId } = await adapter.submit({
    args: [
      '--array=0-3%2',
      '-J',
      'emb-it-adapter',
      `--comment=${tag}`,
      '--output=logs/%x_%A_%a.out',
      '--wrap',
      'sleep 2; echo "task $SLURM_ARRAY_TASK_ID"; [ "$SLURM_ARRAY_TASK_ID" = 3 ] && exit 3; exit 0',
    ],
    cwd: dir,
    env,
  });
  t.match(jobId, /^\d+$/);

  // squeue knows the job at once: every index, with the comment and the resolved log path.
  const queued = await adapter.queue([jobId]);
  t.same(
    queued.map((r) => r.arrayTaskId).sort(),
    [0, 1, 2, 3],
    'one record per index (running tasks and the pending remainder)',
  );
  for (const r of queued) {
    t.equal(r.comment, tag);
    t.equal(r.stdoutPath, path.join(dir, 'logs', `emb-it-adapter_${jobId}_${r.arrayTaskId}.out`));
    t.equal(r.arrayJobId, jobId);
  }
  const remainder = queued.filter((r) => r.pendingRemainder);
  t.ok(remainder.every((r) => r.state === 'PENDING' && r.jobIdRaw === null && r.arrayThrottle === 2));

  // sacct lags slurmctld by seconds; wait until every task has ended there.
  const ended = await waitFor(
    async () => {
      const recs = await adapter.accounting([jobId]);
      return recs.length === 4 && recs.every((r) => TERMINAL_STATES.has(r.state)) ? recs : null;
    },
    { timeoutMs: 90_000, intervalMs: 1000, what: `sacct to show ${jobId} ended` },
  );
  const byTask = new Map<number | null, JobRecord>(ended.map((r) => [r.arrayTaskId, r]));
  for (const i of [0, 1, 2])
    t.match(byTask.get(i), { state: 'COMPLETED', exitCode: 0, pendingRemainder: false });
  t.match(byTask.get(3), { state: 'FAILED', exitCode: 3, exitSignal: 0 });
  for (const r of ended) {
    t.equal(r.jobId, `${jobId}_${r.arrayTaskId}`);
    t.match(r.jobIdRaw, /^\d+$/);
    t.ok(r.submitLine?.includes(`--comment=${tag}`), 'SubmitLine carries the tag');
    t.equal(r.workDir, dir);
    t.ok(r.startTime !== null && r.endTime !== null && r.endTime >= r.startTime);
    t.ok(Math.abs((r.submitTime ?? 0) - submittedAt) < 120, 'times are Unix seconds');
  }
  const log = path.join(dir, 'logs', `emb-it-adapter_${jobId}_0.out`);
  t.ok(
    existsSync(log) && readFileSync(log, 'utf8').includes('task 0'),
    'the path squeue gave is the real log',
  );

  const recent = await adapter.accountingSince(submittedAt - 60);
  t.ok(
    recent.filter((r) => r.arrayJobId === jobId).length === 4,
    'accountingSince finds the tasks by time and user',
  );
});

t.test('cancel through the adapter', async (t) => {
  if (!(await requireCluster(t))) return;
  const adapter = new SlurmAdapter({ timeoutMs: 30_000, user, logger: silentLogger() });
  const dir = t.testdir();
  const { jobId } = await adapter.submit({
    args: ['-J', 'emb-it-cancel', '--output=%x-%j.out', '--wrap', 'sleep 300'],
    cwd: dir,
    env,
  });
  await waitFor(async () => (await adapter.queue([jobId]))[0]?.state === 'RUNNING', {
    timeoutMs: 60_000,
    what: `${jobId} to run`,
  });
  await adapter.cancel(jobId);
  const rec = await waitFor(
    async () => (await adapter.accounting([jobId])).find((r) => r.state === 'CANCELLED'),
    { timeoutMs: 60_000, intervalMs: 1000, what: `${jobId} to be CANCELLED in sacct` },
  );
  t.match(rec.stateDetail, /^by \d+$/);
  await adapter.cancel(jobId);
  t.pass('cancelling a job that has ended is not an error');
});
