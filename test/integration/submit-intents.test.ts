// A user's submit is never forgotten, on the real test cluster:
// - five submits whose sbatch answer is lost when the agent is killed -9 (a wrapper on the agent's scheduler
//   path runs the real sbatch, then hangs) are all tracked after a restart, each once, by their tags;
// - a full disk under stateDir (a small tmpfs, filled by the wrapper right after the real sbatch) still
//   returns the job id with a warning, /health and `emb-client health` say the database cannot be written,
//   and the job is tracked once there is room again and the agent restarts.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAgent, type AgentHandle } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';
import { submitBuilder, type LsSubmission } from '../helpers/resume-harness.js';

/** A scheduler folder whose sbatch, for a tagged user submit, runs the real one, saves its answer, then `after`. */
function wrapperBin(dir: string, after: string): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const cmd of ['squeue', 'sacct', 'scancel', 'scontrol'])
    symlinkSync(`/usr/bin/${cmd}`, path.join(bin, cmd));
  writeFileSync(
    path.join(bin, 'sbatch'),
    [
      '#!/bin/sh',
      '# Fault injection: see test/integration/submit-intents.test.ts.',
      'case " $* " in *" --comment=emb-agent:submit="*)',
      `  out=$(/usr/bin/sbatch "$@"); rc=$?; printf '%s\\n' "$out" > '${bin}/answer.'$$`,
      `  ${after}`,
      'esac',
      'exec /usr/bin/sbatch "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(path.join(bin, 'sbatch'), 0o755);
  return bin;
}

function answers(bin: string): string[] {
  return readdirSync(bin)
    .filter((f) => f.startsWith('answer.'))
    .map((f) => /(\d+)/.exec(readFileSync(path.join(bin, f), 'utf8'))?.[1] ?? '')
    .filter(Boolean)
    .sort();
}

t.test('five submits cut off by kill -9 after sbatch are all tracked after a restart', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  // The real sbatch ran; the answer never comes back (the wrapper sleeps until the agent is gone).
  const bin = wrapperBin(dir, 'exec /bin/sleep 600');
  let agent: AgentHandle = await startAgent(dir, { slurm: { pollSeconds: 2, binDir: bin } });
  t.teardown(() => agent.stop('SIGKILL'));
  const submits = Array.from({ length: 5 }, () =>
    submitBuilder(agent, { array: '0-1', extra: ['--hold'] }).then(
      () => 'answered',
      (err: Error) => err.message,
    ),
  );
  await waitFor(async () => answers(bin).length === 5, {
    timeoutMs: 60_000,
    what: 'five real sbatch answers',
  });
  agent.proc.kill('SIGKILL');
  // The hung wrappers (exec'd into sleep, pid in their answer file's name) are ours to end.
  for (const f of readdirSync(bin).filter((n) => n.startsWith('answer.'))) {
    try {
      process.kill(Number(f.slice('answer.'.length)), 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  const outcomes = await Promise.all(submits);
  t.notOk(outcomes.includes('answered'), 'no client got an answer: the agent died first');
  const ids = answers(bin);
  t.equal(new Set(ids).size, 5, 'Slurm accepted five jobs');

  agent = await startAgent(dir, { slurm: { pollSeconds: 2, binDir: '/usr/bin' } });
  const subs = await waitFor(
    async () => {
      const list = await agent.clientJson<LsSubmission[]>(['ls']);
      return list.length >= 5 ? list : null;
    },
    { timeoutMs: 60_000, what: 'the five submits to be settled' },
  );
  t.same(subs.map((s) => s.jobId).sort(), ids, 'each job tracked, once, under the id Slurm gave it');
  t.ok(
    subs.every((s) => s.tasks.length === 2),
    'with both tasks of its array',
  );
  t.match(agent.output(), /a lost submit was found by its tag/);
});

t.test('a full disk after sbatch: the id comes back, health says so, the job is tracked later', async (t) => {
  if (!(await requireCluster(t))) return;
  if (process.getuid?.() !== 0) {
    t.plan(0, 'not root: cannot mount a small tmpfs for stateDir');
    return;
  }
  const dir = t.testdir();
  // Outside the test folder, which tap removes before teardowns run.
  const stateDir = `/tmp/emb-full-disk-${process.pid}`;
  mkdirSync(stateDir, { mode: 0o700 });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', stateDir]);
  t.teardown(() => {
    execFileSync('umount', ['-l', stateDir]);
    rmSync(stateDir, { recursive: true, force: true });
  });
  const filler = path.join(stateDir, 'filler');
  const bin = wrapperBin(
    dir,
    `dd if=/dev/zero of='${filler}' bs=64k 2>/dev/null; printf '%s\\n' "$out"; exit $rc`,
  );
  const config = { stateDir, slurm: { pollSeconds: 2, binDir: bin } };
  let agent: AgentHandle = await startAgent(dir, config);
  t.teardown(() => agent.stop('SIGKILL'));

  const r = await agent.client(['submit', '--', '--array=0-1', '--hold', '-t', '10', '--wrap', 'sleep 30']);
  const [jobId] = answers(bin);
  t.equal(r.code, 0, 'the submit succeeds for the user');
  t.match(r.stdout, `submitted (NOT TRACKED) as job ${jobId}`, 'with the id Slurm gave the job');
  t.match(r.stdout, /warning: sbatch accepted job \d+, but the agent could not record it/);
  const health = await agent.client(['health']);
  t.not(health.code, 0, '`emb-client health` fails');
  t.match(health.stdout, /NOT OK/);
  t.match(health.stdout, /CANNOT BE WRITTEN/);
  const json = await agent.client(['--json', 'health']);
  t.match(JSON.parse(json.stdout), { ok: false, db: { writable: false, writeError: /full|disk/i } });

  // Room again; the agent is restarted (by systemd, by the user) and tracks the job from its intent.
  rmSync(filler);
  // Not agent.stop(): it cancels the test's jobs, and this one must still be found.
  agent.proc.kill('SIGTERM');
  await once(agent.proc, 'exit');
  agent = await startAgent(dir, { ...config, slurm: { pollSeconds: 2, binDir: '/usr/bin' } });
  const sub = await waitFor(
    async () => (await agent.clientJson<LsSubmission[]>(['ls'])).find((s) => s.jobId === jobId),
    { timeoutMs: 60_000, what: 'the job to be tracked' },
  );
  t.equal(sub.tasks.length, 2);
  t.match(JSON.parse((await agent.client(['--json', 'health'])).stdout), { db: { writable: true } });
});
