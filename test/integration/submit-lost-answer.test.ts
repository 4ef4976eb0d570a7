// A user's submit whose sbatch answer is lost (sbatch hangs after Slurm accepted the job, a wrapper on PATH
// injects it) is found by the agent's --comment tag: the client gets the job id, nothing is submitted twice,
// and the job is tracked once. A submit that failed before reaching Slurm is refused and says so.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster } from '../helpers/cluster.js';
import { FaultySlurm } from '../helpers/faulty-slurm.js';
import { submitBuilder, type LsSubmission } from '../helpers/resume-harness.js';

t.test("a lost sbatch answer is found by the job's tag, not submitted again", async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const slurm = new FaultySlurm(path.join(dir, 'bin'));
  const agent = await startAgent(dir, { slurm: { commandTimeoutSeconds: 2, binDir: slurm.dir } });
  t.teardown(async () => {
    slurm.off();
    await agent.stop();
  });
  // Only the agent's tagged user submits fail: calls 1 (an error before Slurm) and 4 (a hang after it).
  slurm.on(['sbatch-submit']);
  const submit = () => submitBuilder(agent, { array: '0-1', extra: ['--hold'] });
  await t.rejects(
    submit(),
    /AGENT_ERR_SCHEDULER_TRANSIENT: .*no job with its tag is known/,
    'call 1 is refused',
  );
  const ids = [await submit(), await submit()];
  const lost = await submit();
  const calls = slurm.calls().filter((c) => c.kind === 'sbatch-submit');
  t.same(
    calls.map((c) => c.fault),
    ['error', 'ok', 'ok', 'hang'],
    'the fourth submit hung after the real sbatch',
  );
  const answers = readdirSync(slurm.dir).filter((f) => f.startsWith('lost-answer.'));
  t.equal(answers.length, 1);
  const realId = /(\d+)/.exec(readFileSync(path.join(slurm.dir, answers[0] as string), 'utf8'))?.[1];
  t.equal(lost, realId, 'the client gets the id Slurm gave the job whose answer was lost');
  ids.push(lost);
  t.equal(new Set(ids).size, 3);
  const subs = await agent.clientJson<LsSubmission[]>(['ls']);
  t.same(subs.map((s) => s.jobId).sort(), [...ids].sort(), 'three submissions tracked, each once');
  t.match(agent.output(), /found the job by its tag/);
});
