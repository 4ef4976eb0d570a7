// No regex can hang the agent, on the real test cluster: a config rule `(a+)+$` (exponential for a
// backtracking engine) meets a task log with forty "a" and a stop, and a 1 MB line of "a"; the agent reads
// them, still diagnoses the line the rule matches, and answers SIGTERM with a clean stop.
import t from 'tap';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import type { LsSubmission } from '../helpers/resume-harness.js';

t.test('a catastrophic diagnosis rule against hostile log lines: no hang, SIGTERM answered', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir, {
    diagnose: {
      rules: [{ cause: 'evil', pattern: '(a+)+$', hint: 'a rule a backtracking engine chokes on' }],
    },
  });
  t.teardown(() => agent.stop('SIGKILL'));
  // Forty a then "!" (no match: every split of the a's would be tried), a 1 MB line, then a line that matches.
  const script = [
    "printf 'a%.0s' $(seq 40); echo '!'",
    "head -c 1048576 /dev/zero | tr '\\0' a; echo '!'",
    "printf 'a%.0s' $(seq 40); echo",
    'sleep 20',
  ].join('; ');
  const r = await agent.client([
    'submit',
    '--',
    '-o',
    path.join(dir, 'work/logs/evil_%j.out'),
    '-t',
    '5',
    '--wrap',
    script,
  ]);
  t.equal(r.code, 0, r.stderr);
  const jobId = /job (\d+)/.exec(r.stdout)?.[1];
  const task = await waitFor(
    async () => {
      const subs = await agent.clientJson<LsSubmission[]>(['ls']);
      const tk = subs.find((s) => s.jobId === jobId)?.tasks[0];
      return tk?.diagnosis?.cause === 'evil' ? tk : null;
    },
    { timeoutMs: 90_000, what: 'the evil rule to diagnose the matching line' },
  );
  t.equal(task.diagnosis?.cause, 'evil', 'the hostile lines were read and the agent went on');
  t.equal((await agent.client(['health'])).code, 0, 'the agent still answers');
  const code = await agent.stop('SIGTERM');
  t.equal(code, 0, 'SIGTERM answered with a clean stop');
});
