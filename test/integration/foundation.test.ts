// The first whole path on a real Slurm: an array submitted through emb-client is tracked queued →
// running → done in `ls --json`, and a job submitted by hand is adopted.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { requireCluster, runSlurm, waitFor } from '../helpers/cluster.js';
import { ROOT, startAgent } from '../helpers/agent-process.js';

interface LsTask {
  index: number;
  state: string;
  attempts: number;
  jobId: string | null;
  diagnosis: null | { cause: string; hint: string };
}
interface LsSubmission {
  id: number;
  jobId: string;
  tasks: LsTask[];
}

const JOB = path.join(ROOT, 'test/jobs/shard-builder.sbatch');

t.test('submit an array and watch it go queued → running → done', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const out = path.join(dir, 'out');
  const r = await agent.client(
    ['submit', '--', '--array=0-2', '-o', path.join(dir, 'work/logs/%A_%a.out'), '-t', '5', JOB],
    { env: { OUT_DIR: out, SHARDS: '3', STEP: '2' } },
  );
  t.equal(r.code, 0, r.stderr);
  const jobId = /job (\d+)/.exec(r.stdout)?.[1];
  t.ok(jobId, `the job id is printed: ${r.stdout}`);

  const seen = new Set<string>();
  const final = await waitFor(
    async () => {
      const subs = await agent.clientJson<LsSubmission[]>(['ls']);
      const sub = subs.find((s) => s.jobId === jobId);
      for (const task of sub?.tasks ?? []) seen.add(task.state);
      return sub && sub.tasks.length === 3 && sub.tasks.every((x) => x.state === 'done') ? sub : null;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: 'all three tasks done' },
  );
  t.ok(seen.has('running'), `tasks were seen running (states seen: ${[...seen].join(', ')})`);
  t.same(
    final.tasks.map((x) => [x.index, x.state, x.attempts, x.jobId, x.diagnosis]),
    [0, 1, 2].map((i) => [i, 'done', 1, `${jobId}_${i}`, null]),
  );
  t.equal(readdirSync(out).filter((f) => f.endsWith('.tar')).length, 9, 'every shard was written');

  // Where each attempt ran, as squeue's NODELIST says: the test cluster's one node (vm; emb-trixie on 24.11).
  const node = (await runSlurm('sinfo', ['-h', '-o', '%N'])).stdout.trim();
  const shown = await agent.client(['show', `${jobId}_0`]);
  t.equal(shown.code, 0, shown.stderr);
  t.match(shown.stdout, `of 5:00 on ${node}`, `show names the node (${node})`);
  const detail = await agent.clientJson<{ tasks: Array<{ history: Array<{ node?: string | null }> }> }>([
    'show',
    String(jobId),
  ]);
  t.same(
    detail.tasks.map((x) => x.history.map((a) => a.node)),
    [[node], [node], [node]],
    "show --json: each attempt's node",
  );
});

t.test('adopt a job submitted by hand', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const out = path.join(dir, 'out');
  const jobId = execFileSync(
    'sbatch',
    ['--parsable', '--array=0-1', '-o', path.join(dir, 'work/logs/%A_%a.out'), JOB],
    {
      cwd: dir,
      env: { ...process.env, OUT_DIR: out, SHARDS: '2', STEP: '1' },
      encoding: 'utf8',
    },
  )
    .trim()
    .split(';')[0] as string;
  const r = await agent.client(['adopt', jobId]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout + r.stderr, /SubmitLine|environment/, 'says what it could not recover');
  const sub = await waitFor(
    async () => {
      const subs = await agent.clientJson<LsSubmission[]>(['ls']);
      const s = subs.find((x) => x.jobId === jobId);
      return s && s.tasks.length === 2 && s.tasks.every((x) => x.state === 'done') ? s : null;
    },
    { timeoutMs: 90_000, what: 'both adopted tasks done' },
  );
  t.same(
    sub.tasks.map((x) => x.jobId),
    [`${jobId}_0`, `${jobId}_1`],
  );
  const again = await agent.client(['adopt', jobId]);
  t.not(again.code, 0, 'adopting twice is refused');
  t.match(again.stderr, /already tracked/);
});

t.test('adopt a job that has already ended: its tasks are decided at once', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const jobId = execFileSync(
    'sbatch',
    ['--parsable', '--array=0-1', '-o', path.join(dir, 'work/logs/%A_%a.out'), JOB],
    {
      cwd: dir,
      env: { ...process.env, OUT_DIR: path.join(dir, 'out'), SHARDS: '1', STEP: '1' },
      encoding: 'utf8',
    },
  )
    .trim()
    .split(';')[0] as string;
  await waitFor(
    async () => {
      const out = execFileSync('sacct', ['-X', '-n', '-P', '-o', 'State', '-j', jobId], { encoding: 'utf8' })
        .trim()
        .split('\n');
      return out.length === 2 && out.every((s) => s === 'COMPLETED');
    },
    { timeoutMs: 60_000, what: 'the job to end before it is adopted' },
  );
  const r = await agent.client(['adopt', jobId]);
  t.equal(r.code, 0, r.stderr);
  const sub = await waitFor(
    async () => {
      const subs = await agent.clientJson<LsSubmission[]>(['ls']);
      const s = subs.find((x) => x.jobId === jobId);
      return s && s.tasks.every((x) => x.state === 'done') ? s : null;
    },
    { timeoutMs: 90_000, what: 'the adopted tasks decided' },
  );
  t.equal(sub.tasks.length, 2);
});
