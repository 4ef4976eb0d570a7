// What emb-client shows is fresh between scheduled scheduler cycles: a task's start is seen through its log
// appearing (the tracker is nudged), its end through a client asking (one rate-limited cycle when the last is
// older than 10 s); a running task shows no end. The scheduled cycle is set an hour apart, so whatever moves
// the state here can only be the nudge or the ask: no wall-clock race with a busy test node.
import t from 'tap';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import { detail, submitBuilder, type LsSubmission } from '../helpers/resume-harness.js';

interface Event {
  kind: string;
  jobId: string | null;
  message: string;
}

t.test('start and end show without waiting for a scheduled cycle', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir, {
    slurm: { pollSeconds: 3600 },
    watch: { pollSeconds: 30, logPollSeconds: 5 },
  });
  t.teardown(() => agent.stop());
  // The submit's own cycle sees the task pending; the next scheduled one is an hour later.
  const submittedAt = Date.now();
  const jobId = await submitBuilder(agent, { array: '0', env: { SHARDS: '4', STEP: '3' } });

  // Events are read without the refresh reads get: only the log watcher's nudge can have moved the state.
  const running = await waitFor(
    async () => {
      const events = await agent.clientJson<Event[]>(['events']);
      return events.find((e) => e.kind === 'task.state' && /is running/.test(e.message));
    },
    { timeoutMs: 120_000, intervalMs: 1_000, what: 'the task recorded running, with no scheduled cycle' },
  );
  t.ok(running, `${running.message}, ${Math.round((Date.now() - submittedAt) / 1000)} s after submit`);
  const show = await detail(agent, jobId);
  const attempt = show.tasks[0]?.history[0] as { slurmState: string; endedAt?: string | null } | undefined;
  if (attempt?.slurmState === 'RUNNING') t.equal(attempt.endedAt, null, 'a running task shows no end time');

  // The job runs about 12 s; `ls` refreshes state older than 10 s, so `done` shows without a scheduled cycle.
  const done = await waitFor(
    async () => {
      const subs = await agent.clientJson<LsSubmission[]>(['ls']);
      const task = subs.find((s) => s.jobId === jobId)?.tasks[0];
      return task?.state === 'done' ? task : null;
    },
    { timeoutMs: 120_000, intervalMs: 3_000, what: 'ls shows done, with no scheduled cycle' },
  );
  t.equal(done.state, 'done', `done ${Math.round((Date.now() - submittedAt) / 1000)} s after submit`);
});
