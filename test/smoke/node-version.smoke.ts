// End-to-end smoke for one Node line: the real agent on the real Slurm test cluster, an array submitted
// through the real emb-client, both tasks done in `ls --json`. scripts/test-node.sh runs it in a copy of the
// tree under another Node (22, 24). It is not named *.test.ts, so the default tap run does not pick it up:
// test/integration/foundation.test.ts walks the same path, and more, on the main Node.
import t from 'tap';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import { startAgent } from '../helpers/agent-process.js';

interface LsSubmission {
  jobId: string;
  tasks: { index: number; state: string; attempts: number; jobId: string | null }[];
}

// Set by scripts/test-node.sh: the exact version this run must be on, so a PATH mix-up cannot pass as Node 24.
const expected = process.env.EMB_SMOKE_NODE;

t.test(`on Node ${process.version}: agent up, submit an array, both tasks done`, async (t) => {
  if (expected) t.equal(process.version, `v${expected}`, 'tap runs this file on the Node under test');
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  // startAgent spawns process.execPath: check the agent really is that binary, not a node found on PATH.
  t.equal(
    realpathSync(`/proc/${agent.proc.pid}/exe`),
    realpathSync(process.execPath),
    'the agent runs on the same Node',
  );

  const r = await agent.client([
    'submit',
    '--',
    '--array=0-1',
    '-o',
    path.join(dir, 'work/logs/%A_%a.out'),
    '--wrap=sleep 1',
  ]);
  t.equal(r.code, 0, `emb-client submit: ${r.stderr}`);
  const jobId = /job (\d+)/.exec(r.stdout)?.[1];
  if (!t.ok(jobId, `the job id is printed: ${r.stdout}`)) return;

  const sub = await waitFor(
    async () => {
      const subs = await agent.clientJson<LsSubmission[]>(['ls']);
      const s = subs.find((x) => x.jobId === jobId);
      return s && s.tasks.length === 2 && s.tasks.every((x) => x.state === 'done') ? s : null;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: 'both tasks done in emb-client ls --json' },
  );
  t.same(
    sub.tasks.map((x) => [x.index, x.state, x.attempts, x.jobId]),
    [0, 1].map((i) => [i, 'done', 1, `${jobId}_${i}`]),
  );
});
