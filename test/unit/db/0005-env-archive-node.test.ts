// 0005-env-archive-node: a database an older build filled keeps its rows; they read as a client's
// environment, listed (not archived), with no node or time limit known yet.
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import t from 'tap';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../../agent/db/migrate.js';
import { openDatabase } from '../../../agent/db/open.js';

t.test('upgrading a database with data keeps its rows and gives them the defaults', async (t) => {
  const file = path.join(t.testdir(), 'agent.db');
  const old = new BetterSqlite3(file);
  migrate(
    old,
    loadMigrations(defaultMigrationsDir()).filter((m) => m.version <= 4),
  );
  old.exec(`
    INSERT INTO submissions (id, origin, args, cwd, env, first_job_id, created_at)
      VALUES (1, 'submit', '[]', '/w', '{"HOME":"/home/a"}', '100', 0);
    INSERT INTO tasks (id, submission_id, array_index, state, attempts, updated_at) VALUES (1, 1, 0, 'done', 1, 0);
    INSERT INTO attempts (id, task_id, job_id, array_job_id, slurm_state, ended, decided, created_at)
      VALUES (1, 1, '100_0', '100', 'COMPLETED', 1, 1, 0);
  `);
  old.close();

  const { db, applied } = openDatabase(file, { journal: 'wal' });
  t.teardown(() => db.close());
  t.ok(applied.includes(5), 'the upgrade applies 0005');
  t.same(db.prepare('SELECT env_from, archived_at, env FROM submissions').get(), {
    env_from: 'client',
    archived_at: null,
    env: '{"HOME":"/home/a"}',
  });
  t.same(db.prepare('SELECT node, time_limit_minutes, slurm_state FROM attempts').get(), {
    node: null,
    time_limit_minutes: null,
    slurm_state: 'COMPLETED',
  });
});

t.test('0005 refuses an environment source it does not know', async (t) => {
  const db = new BetterSqlite3(':memory:');
  t.teardown(() => db.close());
  migrate(db, loadMigrations(defaultMigrationsDir()));
  const insert = (from: string) =>
    db
      .prepare(
        `INSERT INTO submissions (origin, args, cwd, env, first_job_id, created_at, env_from)
         VALUES ('submit', '[]', '/w', '{}', '1', 0, ?)`,
      )
      .run(from);
  t.doesNotThrow(() => insert('agent'));
  t.throws(() => insert('laptop'), /CHECK constraint/);
});
