// 0004-attempt-decisions: a database an older build filled (attempts decided, their decisions only in events)
// is upgraded in place, each attempt's decision backfilled from its newest decision event.
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import t from 'tap';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../../agent/db/migrate.js';
import { openDatabase } from '../../../agent/db/open.js';
import { createRepos } from '../../../agent/db/repos/index.js';

t.test('upgrading a database with data backfills each attempt from its newest decision event', async (t) => {
  const file = path.join(t.testdir(), 'agent.db');
  const old = new BetterSqlite3(file);
  migrate(
    old,
    loadMigrations(defaultMigrationsDir()).filter((m) => m.version <= 3),
  );
  old.exec(`
    INSERT INTO submissions (id, origin, args, cwd, env, first_job_id, created_at)
      VALUES (1, 'submit', '[]', '/w', '{}', '100', 0);
    INSERT INTO tasks (id, submission_id, array_index, state, attempts, reason, updated_at) VALUES
      (1, 1, 0, 'done', 2, 'the done marker is present', 0),
      (2, 1, 1, 'failed', 1, 'exit 1', 0),
      (3, 1, 2, 'running', 1, NULL, 0);
    INSERT INTO attempts (id, task_id, job_id, array_job_id, slurm_state, ended, decided, created_at) VALUES
      (1, 1, '100_0', '100', 'TIMEOUT', 1, 1, 0),
      (2, 1, '200_0', '200', 'COMPLETED', 1, 1, 0),
      (3, 2, '100_1', '100', 'FAILED', 1, 1, 0),
      (4, 3, '100_2', '100', 'RUNNING', 0, 0, 0),
      (5, 2, '90_1', '90', 'FAILED', 1, 1, 0);
    INSERT INTO events (id, at, level, kind, submission_id, task_id, job_id, message, data) VALUES
      (1, 1000, 'info', 'decision', 1, 1, '100_0', '100_0: resume: ended at the time limit after a checkpoint',
        '{"decision":"resume","slurmState":"TIMEOUT"}'),
      (2, 2000, 'info', 'log.end', 1, 1, '200_0', '200_0: all done', NULL),
      (3, 3000, 'info', 'decision', 1, 1, '200_0', '200_0: done: the done marker is present',
        '{"decision":"done"}'),
      (4, 4000, 'error', 'decision', 1, 2, '100_1', '100_1: failed: exit 1', '{"decision":"failed"}'),
      (5, 5000, 'error', 'decision', 1, 2, '100_1', '100_1: exhausted: 5 attempts', '{"decision":"exhausted"}'),
      (6, 6000, 'info', 'decision', 1, 2, NULL, 'a decision without a job id', '{"decision":"done"}'),
      (7, 7000, 'info', 'decision', 1, 1, '90_1', 'hand-written', 'not json');
  `);
  old.close();

  const { db, applied } = openDatabase(file, { journal: 'wal' });
  t.teardown(() => db.close());
  t.ok(applied.includes(4), 'the upgrade applies 0004');
  const repos = createRepos(db);
  const byJob = (jobId: string) => {
    const a = repos.attempts.byJobId(jobId);
    return a && { decision: a.decision, reason: a.decisionReason, at: a.decidedAt, decided: a.decided };
  };
  t.same(byJob('100_0'), {
    decision: 'resume',
    reason: 'ended at the time limit after a checkpoint',
    at: 1000,
    decided: true,
  });
  t.same(byJob('200_0'), { decision: 'done', reason: 'the done marker is present', at: 3000, decided: true });
  t.same(
    byJob('100_1'),
    { decision: 'exhausted', reason: '5 attempts', at: 5000, decided: true },
    'the newest of two decision events wins',
  );
  t.same(byJob('100_2'), { decision: null, reason: null, at: null, decided: false }, 'undecided: nothing');
  t.same(
    byJob('90_1'),
    { decision: 'hand-written', reason: null, at: 7000, decided: true },
    'data that is not JSON: the message stands for the decision, as the read model showed it',
  );
  t.equal(
    (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n,
    7,
    'events are kept as they were',
  );
});

t.test('0004 on an empty database adds the columns and nothing else', async (t) => {
  const db = new BetterSqlite3(':memory:');
  migrate(db, loadMigrations(defaultMigrationsDir()));
  const cols = (db.prepare('PRAGMA table_info(attempts)').all() as { name: string }[]).map((c) => c.name);
  for (const c of ['decision', 'decision_reason', 'decided_at']) t.ok(cols.includes(c), c);
  t.equal((db.prepare('SELECT count(*) AS n FROM attempts').get() as { n: number }).n, 0);
});
