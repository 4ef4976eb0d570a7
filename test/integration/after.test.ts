// submit --after on a real Slurm: the dependent reaches Slurm only once every task of its prerequisite is
// done (after a resumption, which Slurm's own afterok cannot follow), a failed prerequisite holds it until
// release, and a restart of the agent while it waits loses and doubles nothing.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { startAgent, type AgentHandle } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import { detail, runningWithShards, signalBatch, submitBuilder, taskIn } from '../helpers/resume-harness.js';

const MARKERS = ['--done-marker', 'out/done-{index}', '--progress', 'out/shard-{index}-*.tar'];

interface Waiting {
  state: string;
  reason: string;
  blocked: boolean;
}
interface ListedSub {
  id: number;
  jobId: string;
  waiting?: Waiting;
  tasks: { state: string }[];
}

/** A small job kept back until `after` is done; returns its submission id. */
async function submitAfter(agent: AgentHandle, after: string, name: string): Promise<number> {
  const reply = await agent.clientJson<{ submissionId: number; jobId: string; waiting?: Waiting }>([
    'submit',
    '--after',
    after,
    '--',
    '-J',
    name,
    '-t',
    '5',
    '-o',
    path.join(agent.dir, 'work/logs/%x_%j.out'),
    '--wrap',
    'echo dependent ran',
  ]);
  if (reply.jobId !== '' || reply.waiting?.state !== 'waiting')
    throw new Error(`not kept back: ${JSON.stringify(reply)}`);
  return reply.submissionId;
}

async function listed(agent: AgentHandle, id: number): Promise<ListedSub | undefined> {
  return (await agent.clientJson<ListedSub[]>(['ls'])).find((s) => s.id === id);
}

/** Waits until the dependent has a job id (it was sent) and returns it. */
async function sent(agent: AgentHandle, id: number, timeoutMs = 180_000): Promise<string> {
  return waitFor(
    async () => {
      const s = await listed(agent, id);
      return s && s.jobId !== '' && !s.waiting ? s.jobId : null;
    },
    { timeoutMs, intervalMs: 500, what: `#${id} sent to Slurm` },
  );
}

/** sacct's Submit and End of jobs, in unix seconds. */
function sacctTimes(jobIds: string[]): Map<string, { submit: number; end: number }> {
  const out = execFileSync(
    'sacct',
    ['-X', '--parsable2', '--noheader', '-j', jobIds.join(','), '--format=JobID,Submit,End'],
    { encoding: 'utf8', env: { ...process.env, SLURM_TIME_FORMAT: '%s' } },
  );
  const times = new Map<string, { submit: number; end: number }>();
  for (const line of out.split('\n')) {
    const [id, submit, end] = line.split('|');
    if (id) times.set(id, { submit: Number(submit), end: Number(end) });
  }
  return times;
}

/** Waits until the dependent's job has run (so sacct has it too). */
async function ran(agent: AgentHandle, id: number): Promise<void> {
  await waitFor(
    async () => {
      const s = await listed(agent, id);
      return s && s.tasks.length > 0 && s.tasks.every((x) => x.state === 'done');
    },
    { timeoutMs: 120_000, intervalMs: 500, what: `#${id} done` },
  );
}

/** The jobs of this name once sacct has any (slurmdbd may record a job after it ended). */
async function accounted(name: string): Promise<string[]> {
  return waitFor(async () => (jobsNamed(name).length ? jobsNamed(name) : null), {
    timeoutMs: 60_000,
    intervalMs: 1000,
    what: `sacct knowing ${name}`,
  });
}

/** Jobs of this name sacct knows: a dependent sent twice would show twice. */
function jobsNamed(name: string): string[] {
  const out = execFileSync(
    'sacct',
    ['-X', '--parsable2', '--noheader', '--starttime=now-2hours', `--name=${name}`, '--format=JobID'],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

t.test('a dependent is submitted only after its resumed prerequisite is done', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, { array: '0', markers: MARKERS, env: { SHARDS: '4', STEP: '2' } });
  const name = `dep-${process.pid}-${Date.now()}`;
  const dep = await submitAfter(agent, jobId, name);
  const waiting = await listed(agent, dep);
  t.equal(waiting?.waiting?.state, 'waiting', 'ls shows it waiting');
  t.match(waiting?.waiting?.reason, `#`, 'with what it waits for');

  // The first attempt ends COMPLETED after a checkpoint: Slurm's afterok would start the dependent now.
  const task = await runningWithShards(agent, jobId, 0, 1);
  signalBatch(task.jobId as string);
  await taskIn(agent, jobId, 0, ['resuming', 'queued', 'running']);
  t.equal((await listed(agent, dep))?.jobId, '', 'not sent while the prerequisite resumes');

  await taskIn(agent, jobId, 0, ['done'], 180_000);
  const depJob = await sent(agent, dep);
  const d = await detail(agent, jobId);
  const attempts = d.tasks.flatMap((x) => x.history.map((h) => h.jobId));
  t.ok(attempts.length >= 2, 'the prerequisite was resumed');
  // slurmdbd may record a job a moment after the agent saw it: read the times once sacct has every one.
  const times = await waitFor(
    async () => {
      const m = sacctTimes([...attempts, depJob]);
      return m.has(depJob) && attempts.every((a) => m.has(a)) ? m : null;
    },
    { timeoutMs: 90_000, what: 'sacct to record the prerequisite attempts and the dependent' },
  );
  const lastEnd = Math.max(...attempts.map((a) => times.get(a)?.end ?? Infinity));
  t.ok(
    (times.get(depJob)?.submit ?? 0) >= lastEnd,
    `the dependent's Submit (${times.get(depJob)?.submit}) is after the prerequisite's last End (${lastEnd})`,
  );
  const shown = await agent.clientJson<{ events: { kind: string }[] }>(['show', `#${dep}`]);
  const kinds = shown.events.map((e) => e.kind);
  t.ok(kinds.includes('wait.created') && kinds.includes('submission.created'), 'show has each step');
  await ran(agent, dep);
  t.equal((await accounted(name)).length, 1, 'sent once');
});

t.test('a failed prerequisite holds its dependent until release sends it', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, {
    array: '0',
    markers: MARKERS,
    env: { FAIL_WITH: 'error: the input is missing' },
  });
  const name = `dep-${process.pid}-${Date.now()}`;
  const dep = await submitAfter(agent, `#${(await agent.clientJson<ListedSub[]>(['ls']))[0]?.id}`, name);
  await taskIn(agent, jobId, 0, ['failed']);
  const blocked = await waitFor(
    async () => {
      const s = await listed(agent, dep);
      return s?.waiting?.blocked ? s : null;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'the dependent blocked' },
  );
  t.equal(blocked.jobId, '', 'still not sent');
  t.match(blocked.waiting?.reason, /1 failed/, 'the reason names the failed task');
  t.match(blocked.waiting?.reason, `emb-client release #${dep}`, 'and the way on');
  const r = await agent.client(['release', `#${dep}`]);
  t.equal(r.code, 0, r.stderr);
  const depJob = await sent(agent, dep);
  t.match(depJob, /^\d+$/, 'release sent it');
  const shown = await agent.clientJson<{ events: { kind: string }[] }>(['show', `#${dep}`]);
  const kinds = shown.events.map((e) => e.kind);
  t.ok(
    kinds.includes('wait.blocked') && kinds.includes('wait.released'),
    'show has the block and the release',
  );
});

t.test(
  'an agent restarted while a dependent waits sends it once, after the prerequisite is done',
  async (t) => {
    if (!(await requireCluster(t))) return;
    const dir = t.testdir();
    let agent = await startAgent(dir);
    t.teardown(() => agent.stop());
    const jobId = await submitBuilder(agent, {
      array: '0',
      markers: MARKERS,
      env: { SHARDS: '10', STEP: '2' },
    });
    const name = `dep-${process.pid}-${Date.now()}`;
    const dep = await submitAfter(agent, jobId, name);
    // Stopped without cancelling its jobs: the prerequisite goes on running while no agent looks.
    agent.proc.kill('SIGTERM');
    await new Promise((resolve) => agent.proc.once('exit', resolve));
    agent = await startAgent(dir);
    t.equal((await listed(agent, dep))?.waiting?.state, 'waiting', 'still waiting after the restart');
    await taskIn(agent, jobId, 0, ['done'], 180_000);
    await sent(agent, dep);
    await ran(agent, dep);
    t.equal((await accounted(name)).length, 1, 'sent once');
  },
);

t.test('cancel drops a waiting dependent: never sent', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, { array: '0', markers: MARKERS, env: { SHARDS: '2', STEP: '2' } });
  const name = `dep-${process.pid}-${Date.now()}`;
  const dep = await submitAfter(agent, jobId, name);
  const witness = await submitAfter(agent, jobId, `${name}-kept`);
  const r = await agent.client(['cancel', `#${dep}`]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /never sent/);
  t.equal((await listed(agent, dep))?.waiting?.state, 'dropped', 'ls shows it dropped');
  await taskIn(agent, jobId, 0, ['done'], 180_000);
  // The same look of the gate that sends the other dependent leaves the dropped one unsent.
  await sent(agent, witness);
  t.equal((await listed(agent, dep))?.jobId, '', 'not sent after the prerequisite is done');
  t.equal(jobsNamed(name).length, 0);
});
