// Fills a state database, through the repositories, with submissions whose every task has ended and been
// decided (done, or failed with a diagnosis now and then): an agent opening it has nothing to ask Slurm.
import type { Repos } from '../../agent/db/repos/index.js';

export function seedFinalTasks(repos: Repos, total = 10_000, perSubmission = 1000, now = Date.now()): void {
  const t0 = now - 7 * 86_400_000;
  repos.db.transaction(() => {
    for (let s = 0; s * perSubmission < total; s++) {
      const n = Math.min(perSubmission, total - s * perSubmission);
      const firstJob = String(100_000 + s * 10);
      const sid = repos.submissions.create({
        name: 'build_shards',
        origin: 'submit',
        args: [`--array=0-${n - 1}%50`, '-o', 'logs/%x_%A_%a.out', 'build_shards.sbatch'],
        cwd: '/cluster/work/users/me/emb',
        env: { HOME: '/cluster/home/me', PATH: '/usr/bin:/bin' },
        arraySpec: `0-${n - 1}`,
        throttle: 50,
        doneMarker: 'outputs/done/{index}',
        progress: null,
        checkpointRegex: null,
        maxAttempts: null,
        resume: true,
        recipeNotes: [],
        firstJobId: firstJob,
        createdAt: t0 + s,
      });
      for (let i = 0; i < n; i++) {
        const failed = i % 97 === 13;
        const tid = repos.tasks.ensure(sid, i, 'queued', t0);
        const jobId = `${firstJob}_${i}`;
        const attempt = repos.attempts.insert({
          taskId: tid,
          jobId,
          arrayJobId: firstJob,
          intentId: null,
          createdAt: t0,
        });
        repos.tasks.recordAttempt(tid, jobId, t0);
        repos.attempts.update(attempt, {
          jobIdRaw: String(Number(firstJob) + i + 1),
          slurmState: failed ? 'FAILED' : 'COMPLETED',
          exitCode: failed ? 1 : 0,
          stdoutPath: `/cluster/work/users/me/emb/logs/build_shards_${firstJob}_${i}.out`,
          submittedAt: t0 / 1000,
          startedAt: t0 / 1000 + 60,
          endedAt: t0 / 1000 + 3600,
          ended: true,
        });
        repos.attempts.markDecided(attempt);
        if (failed) {
          repos.tasks.setDiagnosis(
            tid,
            { cause: 'disk-quota', hint: 'write under /cluster/work', line: 'OSError: [Errno 122]' },
            t0 + 3600_000,
          );
        }
        repos.tasks.setState(
          tid,
          failed ? 'failed' : 'done',
          failed ? 'exit 1' : 'done marker present',
          t0 + 3600_000,
        );
      }
      repos.events.add({
        at: t0 + s,
        level: 'info',
        kind: 'submission.created',
        submissionId: sid,
        jobId: firstJob,
        message: `submitted build_shards as ${firstJob}`,
      });
    }
  })();
}
