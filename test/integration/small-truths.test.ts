// What the commands say is what they do, on a real Slurm: resubmit of a done task needs --force, adopt
// refuses another user's job and takes submit's markers, and mentions split arguments only when some may be.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster, runSlurm } from '../helpers/cluster.js';
import { detail, JOB, submitBuilder, taskIn } from '../helpers/resume-harness.js';
import { ensureUser, OTHER, runAs, usersProblem } from '../helpers/users.js';

const MARKERS = ['--done-marker', 'out/done-{index}', '--progress', 'out/shard-{index}-*.tar'];

t.test('resubmit of a done task refuses without --force and runs it again with it', async (t) => {
  if (!(await requireCluster(t))) return;
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const jobId = await submitBuilder(agent, { array: '0', markers: MARKERS, env: { SHARDS: '1', STEP: '0' } });
  await taskIn(agent, jobId, 0, ['done']);
  const refused = await agent.client(['resubmit', `${jobId}_0`]);
  t.equal(refused.code, 1, 'refused');
  t.match(refused.stderr, /already done.*--force/);
  t.equal((await taskIn(agent, jobId, 0, ['done'])).attempts, 1, 'nothing was submitted');
  const forced = await agent.client(['resubmit', '--force', `${jobId}_0`]);
  t.equal(forced.code, 0, forced.stderr);
  await taskIn(agent, jobId, 0, ['resuming', 'queued', 'running']);
  t.equal((await taskIn(agent, jobId, 0, ['done'])).attempts, 2, 'run again');
});

t.test(
  'adopt takes the markers submit takes, and says nothing of split arguments when none can be',
  async (t) => {
    if (!(await requireCluster(t))) return;
    const dir = t.testdir();
    const agent = await startAgent(dir);
    t.teardown(() => agent.stop());
    const jobId = execFileSync(
      'sbatch',
      ['--parsable', '--array=0', '-o', path.join(dir, 'work/logs/%A_%a.out'), '--hold', JOB],
      {
        cwd: dir,
        env: { ...process.env, OUT_DIR: path.join(dir, 'out'), SHARDS: '1', STEP: '0' },
        encoding: 'utf8',
      },
    )
      .trim()
      .split(';')[0] as string;
    t.teardown(() => runSlurm('scancel', [jobId]));
    const r = await agent.client(['adopt', ...MARKERS, '--max-attempts', '3', jobId]);
    t.equal(r.code, 0, r.stderr);
    t.notMatch(r.stdout, /SubmitLine|spaces/, 'no split-argument note for a plain argv');
    t.match(r.stdout, `done marker: ${path.join(dir, 'out/done-{index}')}`, 'the resolved marker');
    const d = await detail(agent, jobId);
    const markers = (d as unknown as { markers: Record<string, unknown> }).markers;
    t.equal(markers['doneMarker'], 'out/done-{index}');
    t.equal(markers['maxAttempts'], 3);
    t.same(markers['resolved'], {
      doneMarker: path.join(dir, 'out/done-{index}'),
      progress: path.join(dir, 'out/shard-{index}-*.tar'),
    });

    const wrapped = execFileSync(
      'sbatch',
      ['--parsable', '--hold', '-o', '/dev/null', '--wrap', 'sleep 30'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    )
      .trim()
      .split(';')[0] as string;
    t.teardown(() => runSlurm('scancel', [wrapped]));
    const w = await agent.client(['adopt', wrapped]);
    t.equal(w.code, 0, w.stderr);
    t.match(w.stdout, /SubmitLine.*spaces/, 'a --wrap command may have been one argument: said so');
  },
);

t.test("adopt refuses another user's job", async (t) => {
  if (!(await requireCluster(t))) return;
  const problem = usersProblem();
  if (problem) {
    t.comment(`skipped: needs a second Unix user: ${problem}`);
    return;
  }
  const agent = await startAgent(t.testdir());
  t.teardown(() => agent.stop());
  const other = ensureUser(OTHER);
  const sb = await runAs(other, ['sbatch', '--parsable', '--hold', '-o', '/dev/null', '--wrap', 'sleep 30'], {
    cwd: other.home,
  });
  t.equal(sb.code, 0, sb.stderr);
  const theirs = sb.stdout.trim().split(';')[0] as string;
  t.teardown(() => runSlurm('scancel', [theirs]));
  const r = await agent.client(['adopt', theirs]);
  t.equal(r.code, 1);
  t.match(r.stderr, /among your jobs/);
  const subs = await agent.clientJson<unknown[]>(['ls']);
  t.same(subs, [], 'nothing adopted');
});
