// Test and bench fixtures for the API: a real SQLite state database filled through the repositories,
// stub Commands (plain objects implementing the interface) and AppDeps around them.
import path from 'node:path';
import type { TaskState } from '../../agent/api/schemas.js';
import { openDatabase } from '../../agent/db/open.js';
import { createRepos, type Repos } from '../../agent/db/repos/index.js';
import type { AppDeps, Commands } from '../../agent/http/deps.js';
import { silentLogger, type Logger } from '../../agent/log.js';
import { RepoReadModel } from '../../agent/views/read-model.js';

export const TOKEN = 'tok-3f1c9a7e5b2d4c6e8a0b1d3f5e7a9c1b';
export const T0 = Date.parse('2025-03-01T10:00:00.000Z');

export function openRepos(dir: string): Repos {
  return createRepos(openDatabase(path.join(dir, 'agent.db'), { journal: 'wal' }).db);
}

export interface SeedOptions {
  /** Tasks per submission; the first submission gets the mixed states below, the others are all done. */
  tasks: number[];
}

/**
 * Submission 1 ("build_shards", job 1000, array 0-N): done tasks, a run of running ones resubmitted as job
 * 2000, one failed with a disk-quota diagnosis, one held. Later submissions are all done.
 */
export function seed(repos: Repos, opts: SeedOptions = { tasks: [12, 3] }): void {
  repos.db.transaction(() => {
    opts.tasks.forEach((n, si) => {
      const firstJob = String(1000 + si * 1000);
      const sid = repos.submissions.create({
        name: si === 0 ? 'build_shards' : `train_${si}`,
        origin: si === 0 ? 'submit' : 'adopt',
        args: [
          '--array=0-' + (n - 1) + '%50',
          '--export=ALL,URL=https://x.blob/c?st=1&sig=SECRETSIG',
          'build.sbatch',
        ],
        cwd: '/cluster/work/users/me/emb',
        env: { PC_SDK_SUBSCRIPTION_KEY: 'KEY-SECRET' },
        arraySpec: `0-${n - 1}`,
        throttle: 50,
        doneMarker: 'outputs/done/{index}',
        progress: null,
        checkpointRegex: null,
        maxAttempts: 5,
        resume: true,
        recipeNotes: [],
        firstJobId: firstJob,
        createdAt: T0 + si,
      });
      for (let i = 0; i < n; i++) {
        const state: TaskState =
          si > 0
            ? 'done'
            : i >= n - 4 && i < n - 2
              ? 'running'
              : i === n - 2
                ? 'failed'
                : i === n - 1
                  ? 'held'
                  : 'done';
        const tid = repos.tasks.ensure(sid, i, 'queued', T0);
        const jobId = `${firstJob}_${i}`;
        const attemptId = repos.attempts.insert({
          taskId: tid,
          jobId,
          arrayJobId: firstJob,
          intentId: null,
          createdAt: T0,
        });
        repos.tasks.recordAttempt(tid, jobId, T0 + 1000);
        repos.attempts.update(attemptId, {
          slurmState: state === 'running' ? 'TIMEOUT' : state === 'failed' ? 'FAILED' : 'COMPLETED',
          submittedAt: T0 / 1000,
          startedAt: T0 / 1000 + 60,
          endedAt: T0 / 1000 + 3600,
          ended: true,
        });
        if (state === 'running') {
          const again = `${Number(firstJob) + 500}_${i}`;
          repos.attempts.markDecided(attemptId, {
            decision: 'resume',
            reason: 'ended at the time limit after a checkpoint',
            at: T0 + 4000,
          });
          repos.attempts.insert({
            taskId: tid,
            jobId: again,
            arrayJobId: again.split('_')[0] as string,
            intentId: null,
            createdAt: T0 + 5000,
          });
          repos.tasks.recordAttempt(tid, again, T0 + 5000);
          repos.events.add({
            at: T0 + 4000,
            level: 'info',
            kind: 'decision',
            submissionId: sid,
            taskId: tid,
            jobId,
            message: 'ended at the time limit after a checkpoint: resume',
            data: { decision: 'resume' },
          });
        }
        if (state === 'failed') {
          repos.tasks.setDiagnosis(
            tid,
            {
              cause: 'disk-quota',
              hint: 'write under /cluster/work, not the project space',
              line: 'OSError: [Errno 122] Disk quota exceeded: https://a.blob/x?sig=LOGSIG',
            },
            T0 + 6000,
          );
        }
        if (state === 'held') repos.tasks.setHeld(tid, true, T0 + 7000);
        repos.tasks.setState(tid, state, state === 'done' ? 'done marker present' : null, T0 + 8000);
      }
      repos.events.add({
        at: T0 + 9000,
        level: 'info',
        kind: 'submission.created',
        submissionId: sid,
        jobId: firstJob,
        message: `submitted as job ${firstJob}`,
      });
    });
  })();
}

export interface CallLog {
  calls: { method: string; arg: unknown }[];
}

/** Commands that record their calls and answer plausibly; errors are injected by overriding a method. */
export function stubCommands(log: CallLog = { calls: [] }): Commands & CallLog {
  const target = (method: string) => async (t: string) => {
    log.calls.push({ method, arg: t });
    return { submissionId: 1, indices: [7], message: `${method} ${t}` };
  };
  return {
    calls: log.calls,
    submit: async (body) => {
      log.calls.push({ method: 'submit', arg: body });
      return { submissionId: 42, jobId: '4242', markers: { doneMarker: null, progress: null }, warnings: [] };
    },
    adopt: async (body) => {
      log.calls.push({ method: 'adopt', arg: body });
      return {
        submissionId: 43,
        jobId: body.jobId,
        tasks: 10,
        notes: ['environment not recoverable: using the current one'],
        markers: { doneMarker: null, progress: null },
        warnings: [],
      };
    },
    hold: target('hold'),
    release: target('release'),
    resubmit: target('resubmit'),
    cancel: target('cancel'),
    archive: target('archive'),
    unarchive: target('unarchive'),
  };
}

export function makeDeps(
  repos: Repos,
  over: Partial<AppDeps> = {},
  logger: Logger = silentLogger(),
): AppDeps {
  return {
    apiToken: TOKEN,
    logger,
    version: '0.1.0-test',
    health: () => ({
      ok: true,
      version: '0.1.0-test',
      host: 'login-3',
      pid: 4321,
      startedAt: new Date(T0).toISOString(),
      listen: '127.0.0.1:8787',
      scheduler: {
        available: true,
        version: '23.02.7',
        support: 'supported (21.08 to 25.11; tested on 22.05 and 24.11)',
        lastPollAt: null,
        lastError: null,
        liveJobs: 2,
      },
      db: { writable: true, writeError: null, path: '/tmp/agent.db', journal: 'wal', schemaVersion: 1 },
    }),
    read: new RepoReadModel(repos),
    commands: stubCommands(),
    ...over,
  };
}
