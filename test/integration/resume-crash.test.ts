// Exactly once under kill -9: an sbatch wrapper on the agent's scheduler path kills the agent (its
// parent) before the real sbatch, right after it, or the test kills it once the resubmission is recorded.
// After a restart every task is resumed once: no duplicate, no loss, attempts equal sacct's jobs.
import t, { type Test } from 'tap';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAgent, type AgentHandle } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import {
  detail,
  duplicatesWritten,
  recordedAttempts,
  runningWithShards,
  sacctTasksFrom,
  shards,
  signalBatch,
  submitBuilder,
  taskIn,
} from '../helpers/resume-harness.js';

type Mode = 'before-sbatch' | 'after-sbatch' | 'after-record';
const ROUNDS = Number(process.env.EMB_CRASH_ROUNDS ?? 3);

/** A scheduler folder whose sbatch kills the calling agent once, when it resubmits (its argv has the tag). */
function crashingBin(dir: string, mode: Mode): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const cmd of ['squeue', 'sacct', 'scancel', 'scontrol'])
    symlinkSync(`/usr/bin/${cmd}`, path.join(bin, cmd));
  const flag = path.join(dir, 'crashed');
  const act =
    mode === 'before-sbatch'
      ? 'kill -9 "$PPID"; exit 1'
      : 'out=$(/usr/bin/sbatch "$@"); rc=$?; kill -9 "$PPID"; printf "%s\\n" "$out"; exit $rc';
  writeFileSync(
    path.join(bin, 'sbatch'),
    [
      '#!/bin/sh',
      '# Fault injection for the exactly-once tests: see test/integration/resume-crash.test.ts.',
      `case " $* " in *" --comment=emb-agent:intent="*)`,
      `  if [ ! -e '${flag}' ]; then touch '${flag}'; ${act}; fi ;;`,
      'esac',
      'exec /usr/bin/sbatch "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(path.join(bin, 'sbatch'), 0o755);
  return bin;
}

async function crashRound(t: Test, mode: Mode): Promise<void> {
  const dir = t.testdir();
  const bin = crashingBin(dir, mode);
  const config = { slurm: { pollSeconds: 2, binDir: mode === 'after-record' ? '/usr/bin' : bin } };
  let agent: AgentHandle = await startAgent(dir, config);
  const started = agent.startedAt;
  t.teardown(() => agent.stop('SIGKILL'));
  const markers = ['--done-marker', 'out/done-{index}', '--progress', 'out/shard-{index}-*.tar'];
  // A shard every 4 s: both tasks must be caught mid-way (one shard written, not all three) by client calls
  // that take seconds each on a loaded machine; watched together, not one after the other.
  const jobId = await submitBuilder(agent, { array: '0-1', markers, env: { SHARDS: '3', STEP: '4' } });
  const [a, b] = await Promise.all([
    runningWithShards(agent, jobId, 0, 1),
    runningWithShards(agent, jobId, 1, 1),
  ]);
  signalBatch(a.jobId as string);
  signalBatch(b.jobId as string);
  if (mode === 'after-record') {
    await waitFor(
      async () => (await detail(agent, jobId)).events.some((e) => e.kind === 'resume.submitted'),
      {
        timeoutMs: 60_000,
        what: 'the resubmission to be recorded',
      },
    );
    agent.proc.kill('SIGKILL');
  }
  await waitFor(async () => agent.proc.exitCode !== null || agent.proc.signalCode !== null, {
    timeoutMs: 60_000,
    what: 'the agent to be killed',
  });
  t.equal(agent.proc.signalCode, 'SIGKILL', `${mode}: the agent died by kill -9`);
  agent = await startAgent(dir, config);
  for (const index of [0, 1]) {
    const done = await taskIn(agent, jobId, index, ['done'], 180_000);
    t.equal(done.attempts, 2, `${mode}: task ${index} resumed exactly once`);
    t.equal(shards(agent, index).length, 3);
  }
  t.notOk(duplicatesWritten(agent), `${mode}: no shard written twice`);
  t.same(
    await recordedAttempts(agent, jobId),
    sacctTasksFrom(dir, started),
    `${mode}: attempts equal sacct's jobs, one for one`,
  );
}

for (const mode of ['before-sbatch', 'after-sbatch', 'after-record'] as const) {
  t.test(`kill -9 ${mode}`, async (t) => {
    if (!(await requireCluster(t))) return;
    for (let round = 1; round <= ROUNDS; round++) await t.test(`round ${round}`, (t) => crashRound(t, mode));
  });
}
