// #15.4 on the real cluster: `emb-client cancel` really cancels in Slurm and the task is never resumed (not
// by the engine, not by a release); `ls --state/--name/--since` filter on the agent; `archive` hides a
// finished submission from `ls` and `ls --all` shows it again, its history kept.
import path from 'node:path';
import t from 'tap';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, sacctState, waitFor } from '../helpers/cluster.js';
import { detail, submission, taskIn, type LsSubmission } from '../helpers/resume-harness.js';

t.test('cancel, filters and archive', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const logs = path.join(dir, 'work/logs/%x_%A_%a.out');
  const submit = async (args: string[]) => {
    const r = await agent.client(['submit', '--', '-o', logs, '-t', '10', ...args]);
    if (r.code !== 0) throw new Error(`submit failed: ${r.stderr}`);
    return /job (\d+)/.exec(r.stdout)?.[1] as string;
  };
  // A checkpoint marker in its log: ended any way but cancelled, the agent would resume it.
  const sleeper = await submit([
    '-J',
    'sleeper',
    '--array=0-1',
    '--wrap',
    'echo CHECKPOINT saved; sleep 600',
  ]);
  await taskIn(agent, sleeper, 0, ['running']);

  const one = await agent.client(['cancel', `${sleeper}_0`]);
  t.equal(one.code, 0, one.stderr);
  t.match(one.stdout, `(tasks 0): cancelled (scancel ${sleeper}_0); never resumed`);
  await waitFor(async () => (await sacctState(`${sleeper}_0`))[`${sleeper}_0`]?.startsWith('CANCELLED'), {
    timeoutMs: 60_000,
    what: 'Slurm to show the task cancelled',
  });
  const decided = await waitFor(
    async () => {
      const d = await detail(agent, sleeper);
      const task = d.tasks.find((x) => x.index === 0);
      const latest = task?.history.at(-1) as { decision?: string | null } | undefined;
      return latest?.decision ? { task, decision: latest.decision } : null;
    },
    { timeoutMs: 60_000, what: 'the cancelled attempt to be decided' },
  );
  t.equal(decided.decision, 'failed', 'a cancel is never a resume');
  t.equal(decided.task?.attempts, 1);
  t.match(decided.task?.reason, /cancelled/);
  const release = await agent.client(['--json', 'release', `${sleeper}_0`]);
  t.same(
    (JSON.parse(release.stdout) as { indices: number[] }).indices,
    [],
    'a release does not resume it either',
  );
  const d = await detail(agent, sleeper);
  t.ok(
    d.events.some((e) => e.kind === 'task.cancelled'),
    'the cancel is in the history',
  );
  t.equal((await submission(agent, sleeper))?.tasks[1]?.state !== 'failed', true, 'the other task goes on');

  t.equal(
    (await agent.client(['archive', `#${d.id}`])).code,
    1,
    'a submission still running is not archived',
  );

  const all = await agent.client(['cancel', `#${d.id}`]);
  t.equal(all.code, 0, all.stderr);
  t.match(all.stdout, `scancel ${sleeper}`);
  await taskIn(agent, sleeper, 1, ['failed']);
  t.equal((await submission(agent, sleeper))?.tasks[1]?.attempts, 1, 'never resumed');

  const quick = await submit(['-J', 'quick-one', '--wrap', 'true']);
  await taskIn(agent, quick, 0, ['done']);

  const ls = async (args: string[]) => agent.clientJson<LsSubmission[]>(['ls', ...args]);
  const ids = (subs: LsSubmission[]) => subs.map((s) => s.jobId);
  t.same(ids(await ls(['--state', 'failed'])), [sleeper], 'by task state');
  t.same(ids(await ls(['--state', 'done'])), [quick]);
  t.same(ids(await ls(['--name', 'quick'])), [quick], 'by name');
  t.same(ids(await ls(['--since', '1h'])), [sleeper, quick], 'by time');
  t.same(ids(await ls(['--since', '2099-01-01T00:00:00Z'])), []);
  const bad = await agent.client(['ls', '--state', 'pending']);
  t.equal(bad.code, 2, 'an unknown state is a usage error');

  const archived = await agent.client(['archive', sleeper]);
  t.equal(archived.code, 0, archived.stderr);
  t.same(ids(await ls([])), [quick], 'archived: hidden from ls');
  t.same(ids(await ls(['--all'])), [sleeper, quick], 'ls --all shows it');
  t.same(ids(await ls(['--all', '--state', 'failed'])), [sleeper]);
  const kept = await detail(agent, sleeper);
  t.equal(kept.tasks.length, 2, 'show keeps its history');
  t.match((await agent.client(['show', sleeper])).stdout, /archived +/);
  t.equal((await agent.client(['unarchive', sleeper])).code, 0);
  t.same(ids(await ls([])), [sleeper, quick], 'listed again');

  // #15.5: a pending job's reason in Slurm's words, then a cancel while it is still pending.
  const later = await submit(['-J', 'later', '--begin=now+1hour', '--wrap', 'true']);
  const pending = await waitFor(
    async () => {
      const out = (await agent.client(['ls', '--name', 'later'])).stdout;
      return /queued .*\(BeginTime\)/.test(out) ? out : null;
    },
    { timeoutMs: 60_000, what: 'ls to show the pending reason' },
  );
  t.match(pending, /\(BeginTime\)/, 'ls: the pending reason, as squeue prints it');
  t.match((await agent.client(['show', later])).stdout, /PENDING +submitted .*\(BeginTime\)/);
  const gone = await agent.client(['cancel', later]);
  t.equal(gone.code, 0, gone.stderr);
  await taskIn(agent, later, 0, ['failed']);
  t.equal(
    (await submission(agent, later))?.tasks[0]?.attempts,
    1,
    'a pending job cancelled is never resumed',
  );
});
