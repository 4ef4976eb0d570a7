// Preflight on the real cluster: refusals that submit nothing, the override with its recorded reason, and a
// fitted --time on a resubmission (the resubmitted job's TimeLimit in sacct is the fitted one). The test
// cluster's partitions are Betzy's normal (default, 4 days) and preproc (1 day): the default profile fits.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { startAgent, type AgentHandle } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import {
  JOB,
  detail,
  runningWithShards,
  sacctTasksFrom,
  signalBatch,
  submission,
  taskIn,
} from '../helpers/resume-harness.js';

/** Jobs in the queue that run from this folder (a refused submit must leave none). */
function queuedFrom(dir: string): string[] {
  const r = spawnSync('squeue', ['--noheader', '--format=%i|%Z'], { encoding: 'utf8', timeout: 30_000 });
  return r.stdout
    .split('\n')
    .map((l) => l.split('|'))
    .filter(([, wd]) => wd === dir)
    .map(([id]) => id as string);
}

function sacctTimeLimit(jobId: string): number {
  const out = execFileSync('sacct', ['-X', '-n', '-P', '-j', jobId, '--format=JobID,TimelimitRaw'], {
    encoding: 'utf8',
  });
  const row = out
    .split('\n')
    .map((l) => l.split('|'))
    .find(([id]) => id === jobId || id?.startsWith(`${jobId}_`));
  return Number(row?.[1]);
}

async function submit(
  agent: AgentHandle,
  opts: string[],
  sbatch: string[],
  env: Record<string, string> = {},
) {
  return agent.client(
    ['submit', ...opts, '--', '-o', path.join(agent.dir, 'work/logs/%x_%A_%a.out'), ...sbatch, JOB],
    {
      env: { OUT_DIR: path.join(agent.dir, 'out'), ...env },
    },
  );
}

t.test('refusals name the rule and the fix and submit nothing; the override is recorded', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir, { preflight: { smallQuotaPaths: [path.join(dir, 'work/logs')] } });
  t.teardown(() => agent.stop());

  const long = await submit(agent, [], ['-p', 'preproc', '-t', '2-00:00:00']);
  t.not(long.code, 0, 'refused');
  t.match(long.stderr, /AGENT_ERR_PREFLIGHT_REFUSED|time-over-limit/);
  t.match(long.stderr, /preproc.*1-00:00:00.*fix: ask for at most --time=1-00:00:00/s);
  const mem = await submit(agent, [], ['--mem=100M', '-t', '5']);
  t.not(mem.code, 0);
  t.match(mem.stderr, /mem-forbidden.*normal.*fix: remove --mem=100M/s);
  t.same(queuedFrom(dir), [], 'squeue knows no job from here');
  t.same(sacctTasksFrom(dir, agent.startedAt), [], 'nor does sacct');
  t.same(await agent.clientJson<unknown[]>(['ls']), [], 'nor the agent');

  const over = await submit(
    agent,
    ['--no-preflight', 'testing the override'],
    ['--array=0', '--mem=100M', '-t', '5'],
  );
  t.equal(over.code, 0, over.stderr);
  const jobId = /job (\d+)/.exec(over.stdout)?.[1] as string;
  t.ok(jobId, over.stdout);
  t.ok(queuedFrom(dir).length > 0 || sacctTasksFrom(dir, agent.startedAt).length > 0, 'the job exists');
  const d = await detail(agent, jobId);
  const recorded = d.events.find((e) => (e.data?.kind ?? e.kind) === 'preflight.options');
  t.match(recorded?.message, /preflight overridden \(--no-preflight\): testing the override/);
  t.match(recorded?.data, { options: { skip: 'testing the override' } });

  const warned = await submit(agent, [], ['--array=0', '-t', '5']);
  t.equal(warned.code, 0, warned.stderr);
  t.match(warned.stdout, /small-quota/, 'a path in the small-quota folder is warned about, and submitted');
});

t.test('--fit-time: the resubmission asks for the time the work left needs', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir(), {
    preflight: { fitTime: { overheadMinutes: 2, minMinutes: 2 } },
  });
  t.teardown(() => agent.stop());
  const r = await submit(
    agent,
    [
      '--done-marker',
      'out/done-{index}',
      '--progress',
      'out/shard-{index}-*.tar',
      '--fit-time',
      '--target',
      '6',
    ],
    ['--array=0', '-t', '60'],
    { SHARDS: '6', STEP: '3' },
  );
  t.equal(r.code, 0, r.stderr);
  const jobId = /job (\d+)/.exec(r.stdout)?.[1] as string;
  const first = await runningWithShards(agent, jobId, 0, 2);
  signalBatch(first.jobId as string);
  // Until the tracker sees the signalled attempt end, ls still shows it running: wait for the second one.
  const resumed = await waitFor(
    async () => {
      const task = (await submission(agent, jobId))?.tasks.find((x) => x.index === 0);
      return task && task.attempts >= 2 ? task : null;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: `task 0 of ${jobId} resubmitted` },
  );
  t.equal(resumed.attempts, 2, 'resubmitted');
  const d = await detail(agent, jobId);
  const fit = d.events.find((e) => (e.data?.kind ?? e.kind) === 'preflight.fit-time');
  t.ok(fit, 'an event gives the numbers behind the fitted time');
  const minutes = fit?.data?.minutes as number;
  t.ok(minutes >= 2 && minutes < 60, `fitted below the original 60 min: ${minutes} (${fit?.message})`);
  t.match(fit?.data, { originalTime: '60', target: 6, source: 'progress files' });
  const second = (resumed.jobId as string).split('_')[0] as string;
  t.not(second, jobId);
  const limit = await waitFor(async () => sacctTimeLimit(second) || null, {
    timeoutMs: 30_000,
    what: `sacct's TimelimitRaw of ${second}`,
  });
  t.equal(limit, minutes, "the resubmitted job's TimeLimit in sacct is the fitted one");
  const done = await taskIn(agent, jobId, 0, ['done', 'failed', 'stalled', 'exhausted'], 180_000);
  t.equal(done.state, 'done');
});

t.test('testOnly "always": Slurm refuses what the table lets through, before any sbatch', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir, { preflight: { testOnly: 'always' } });
  t.teardown(() => agent.stop());
  const r = await submit(agent, [], ['-p', 'nosuch', '-t', '5']);
  t.not(r.code, 0);
  t.match(
    r.stderr,
    /\[slurm\] sbatch --test-only: invalid partition/i,
    'refused by --test-only, not by sbatch',
  );
  t.same(queuedFrom(dir), []);
  const ok = await submit(agent, [], ['-t', '5']);
  t.equal(ok.code, 0, ok.stderr);
});
