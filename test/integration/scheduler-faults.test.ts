// Scheduler faults on a real Slurm: the agent's scheduler folder (slurm.binDir) holds wrappers that fail,
// hang or print garbage on every third call of each command (test/helpers/faulty-slurm.ts). While faults are
// on, the API keeps answering (even while a command hangs), the calls are timed out, no task is marked
// failed, tasks still reach done, and a resubmission whose sbatch answer is lost happens exactly once. With
// faults off, health reports the scheduler available, a new submission goes through first time, and
// /metrics has counted the errors.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { startAgent, type AgentHandle } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import { FaultySlurm } from '../helpers/faulty-slurm.js';
import {
  detail,
  duplicatesWritten,
  recordedAttempts,
  sacctTasksFrom,
  shards,
  signalBatch,
  submitBuilder,
  taskIn,
  type LsSubmission,
} from '../helpers/resume-harness.js';

const MARKERS = ['--done-marker', 'out/done-{index}', '--progress', 'out/shard-{index}-*.tar'];
const BAD_STATES = new Set(['failed', 'stalled', 'exhausted']);

/** Submits through emb-client until the agent accepts it, keeping the refusals seen on the way. */
async function submitRetrying(agent: AgentHandle, opts: Parameters<typeof submitBuilder>[1]) {
  const refusals: string[] = [];
  for (let i = 0; i < 10; i++) {
    try {
      return { jobId: await submitBuilder(agent, opts), refusals };
    } catch (err) {
      refusals.push((err as Error).message);
    }
  }
  throw new Error(`submit refused 10 times:\n${refusals.join('\n')}`);
}

/** Polls health and ls (through emb-client, and directly while a command hangs) until stopped. */
class Prober {
  runs = 0;
  /** Direct API requests answered while one hung scheduler command stayed hung from before to after. */
  duringHang = 0;
  unanswered: string[] = [];
  badStates: string[] = [];
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly agent: AgentHandle,
    private readonly slurm: FaultySlurm,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      // While a command hangs, the API must answer at once: ask it directly (milliseconds), then check that
      // the same command was still hanging afterwards.
      const hung = this.slurm.liveHangs();
      if (hung.length) {
        const answers = await Promise.all([
          get(this.agent, '/health'),
          get(this.agent, '/submissions'),
        ]).catch((err: unknown) => {
          this.unanswered.push(`direct GET: ${(err as Error).message}`);
          return [];
        });
        const still = this.slurm.liveHangs().some((pid) => hung.includes(pid));
        if (answers.length && answers.every((a) => a.status === 200) && still) this.duringHang++;
      }
      const health = await this.agent.client(['--json', 'health']);
      const ls = await this.agent.client(['--json', 'ls']);
      this.runs++;
      // health exits 1 (and still prints the JSON) while the scheduler is unavailable; 3 is "unreachable".
      if (health.code > 1 || !/"scheduler"/.test(health.stdout))
        this.unanswered.push(`health: ${health.stderr}`);
      if (ls.code !== 0) this.unanswered.push(`ls: ${ls.stderr}`);
      else {
        for (const s of JSON.parse(ls.stdout) as LsSubmission[]) {
          for (const task of s.tasks) {
            if (BAD_STATES.has(task.state))
              this.badStates.push(`${s.jobId} ${task.index} ${task.state}: ${task.reason}`);
          }
        }
      }
    }
  }
}

/** One authenticated GET straight to the agent's API. */
function get(agent: AgentHandle, url: string): Promise<{ status: number; body: string }> {
  const token = readFileSync(path.join(agent.stateDir, 'api-token'), 'utf8').trim();
  return new Promise((resolve, reject) => {
    const req = request(`${agent.url}${url}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

t.test('a scheduler that fails, hangs or babbles on a third of calls', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  // tap reuses the folder's name from run to run: only this run's jobs count.
  const startedMs = Date.now();
  const slurm = new FaultySlurm(path.join(dir, 'bin'));
  // Faults from the very first call: the start-up version probe fails, and health must recover by itself
  // (startAgent waits for a healthy answer).
  slurm.on();
  const agent = await startAgent(dir, {
    slurm: { pollSeconds: 1, commandTimeoutSeconds: 2, binDir: slurm.dir },
    resume: { batchWindowSeconds: 1 },
  });
  const prober = new Prober(agent, slurm);
  t.teardown(async () => {
    await prober.stop();
    slurm.off();
    if (!t.passing()) {
      const calls = slurm.calls().map((c) => `${c.kind}:${c.n}:${c.fault}`);
      t.comment(`scheduler calls: ${calls.join(' ')}\nagent log (end):\n${agent.output().slice(-20_000)}`);
    }
    await agent.stop();
  });
  t.same(
    slurm
      .calls()
      .filter((c) => c.kind === 'sbatch-version')
      .map((c) => c.fault),
    ['error', 'ok'],
    'the version probe failed at start and was repeated',
  );
  prober.start();

  const { jobId, refusals } = await submitRetrying(agent, {
    array: '0-1',
    markers: MARKERS,
    // Long enough that task 0 is still running when it is signalled, however late faults make the agent.
    env: { SHARDS: '6', STEP: '3' },
  });
  t.ok(refusals.length >= 1, 'the first sbatch failed');
  for (const r of refusals)
    t.match(
      r,
      /AGENT_ERR_SCHEDULER_(TRANSIENT|OUTPUT): .*(Socket timed out|timed out|unexpected sbatch output)/,
    );

  // Task 0 checkpoints on SIGTERM: its resubmission reaches sbatch, whose answer is lost (a hang after it).
  // Signalled as soon as its first shard exists: the agent's own view may lag while faults are on.
  await waitFor(async () => shards(agent, 0).length >= 1, {
    timeoutMs: 120_000,
    what: 'the first shard of task 0',
  });
  signalBatch(`${jobId}_0`);
  for (const index of [0, 1]) await taskIn(agent, jobId, index, ['done'], 180_000);
  await prober.stop();

  t.same(prober.unanswered, [], `health and ls answered all ${prober.runs} probes`);
  t.ok(prober.duringHang >= 1, `the API answered ${prober.duringHang} times while a scheduler command hung`);
  t.same(prober.badStates, [], 'no task was ever failed, stalled or exhausted');

  const calls = slurm.calls().filter((c) => c.n > 0);
  const tally = new Map<string, number>();
  for (const c of calls) tally.set(`${c.kind}:${c.fault}`, (tally.get(`${c.kind}:${c.fault}`) ?? 0) + 1);
  t.comment(`scheduler calls with faults on: ${[...tally].map(([k, n]) => `${k}=${n}`).join(' ')}`);
  t.comment(`refusals seen by submit: ${refusals.join(' | ')}`);
  for (const fault of ['error', 'hang', 'garbage'] as const) {
    t.ok(
      calls.some((c) => c.fault === fault && c.kind !== 'sbatch-intent'),
      `a query hit a ${fault}`,
    );
  }
  const resubmits = calls.filter((c) => c.kind === 'sbatch-intent');
  t.equal(resubmits[0]?.fault, 'hang', 'the first resubmission sbatch lost its answer');
  t.same(
    resubmits.slice(1).filter((c) => c.fault === 'ok'),
    [],
    'and was never sent again: the agent found the tagged job instead',
  );

  const d = await detail(agent, jobId);
  const t0 = d.tasks.find((x) => x.index === 0);
  const t1 = d.tasks.find((x) => x.index === 1);
  t.equal(t0?.attempts, 2, 'task 0 resumed exactly once');
  t.equal(t1?.attempts, 1, 'task 1 ran once');
  t.equal(shards(agent, 0).length, 6);
  t.equal(shards(agent, 1).length, 6);
  t.notOk(duplicatesWritten(agent), 'no shard written twice');
  t.ok(
    d.events.some((e) => e.kind === 'resume.retry'),
    'the lost answer was retried',
  );
  t.notOk(
    d.events.some((e) => e.kind === 'resume.rejected'),
    'no scheduler fault was taken for a refusal',
  );

  // Every call that hung was killed by the agent's time-out.
  await waitFor(async () => slurm.liveHangs().length === 0, {
    timeoutMs: 15_000,
    what: 'hung calls to be killed',
  });
  t.ok(calls.filter((c) => c.fault === 'hang').length >= 2, 'several calls hung, all were timed out');

  slurm.off();
  const health = await waitFor(
    async () => {
      const r = await agent.client(['--json', 'health']);
      const h = JSON.parse(r.stdout) as {
        ok: boolean;
        scheduler: { available: boolean; lastError: string | null };
      };
      return r.code === 0 && h.scheduler.available ? h : null;
    },
    { timeoutMs: 90_000, what: 'health to report the scheduler available' },
  );
  t.equal(health.scheduler.lastError, null);

  // Working again: a submission goes through at the first try and is followed to done.
  const again = await submitRetrying(agent, {
    array: '0',
    markers: MARKERS,
    env: { SHARDS: '1', STEP: '1' },
  });
  t.same(again.refusals, [], 'no fault once the scheduler works');
  await taskIn(agent, again.jobId, 0, ['done'], 120_000);
  const after = JSON.parse((await agent.client(['--json', 'health'])).stdout) as { ok: boolean };
  t.equal(after.ok, true, 'health ok after tracking a job with faults off');

  // sacct lags squeue by seconds (slurmdbd): wait until it has every job the agent recorded, then compare.
  const recorded = [
    ...(await recordedAttempts(agent, jobId)),
    ...(await recordedAttempts(agent, again.jobId)),
  ].sort();
  const known = await waitFor(
    async () => {
      const jobs = sacctTasksFrom(dir, startedMs);
      return recorded.every((id) => jobs.includes(id)) ? jobs : null;
    },
    { timeoutMs: 60_000, what: 'sacct to list every recorded job' },
  );
  t.same(
    recorded,
    known,
    "no duplicate submission: the agent's attempts are exactly the jobs sacct has from this folder",
  );

  const { body: text } = await get(agent, '/metrics');
  for (const command of ['squeue', 'sacct', 'sbatch']) {
    const errors = ['transient', 'output'].reduce(
      (n, kind) => n + metric(text, 'emb_scheduler_errors_total', { command, kind }),
      0,
    );
    t.ok(errors >= 1, `/metrics counts ${errors} ${command} errors`);
  }
  t.ok(
    metric(text, 'emb_scheduler_errors_total', { kind: 'output' }) >= 1,
    'garbage counted as output errors',
  );
  t.ok(metric(text, 'emb_tasks', { state: 'failed' }) === 0, 'no failed task in /metrics');
});
