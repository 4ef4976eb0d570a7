// 0006-waits: a database of an older build gains the waits and pipeline_steps tables, empty, and their rules
// hold: a wait's state is one of four, a pipeline's step is recorded once.
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import t from 'tap';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../../agent/db/migrate.js';
import { openDatabase } from '../../../agent/db/open.js';

t.test('upgrading adds waits and pipeline steps, whose constraints hold', async (t) => {
  const file = path.join(t.testdir(), 'agent.db');
  const old = new BetterSqlite3(file);
  migrate(
    old,
    loadMigrations(defaultMigrationsDir()).filter((m) => m.version <= 5),
  );
  old.exec(`INSERT INTO submissions (id, origin, args, cwd, env, first_job_id, created_at)
    VALUES (1, 'submit', '[]', '/w', '{}', '100', 0), (2, 'submit', '[]', '/w', '{}', '', 0);`);
  old.close();

  const { db, applied } = openDatabase(file, { journal: 'wal' });
  t.teardown(() => db.close());
  t.ok(applied.includes(6), 'the upgrade applies 0006');
  t.equal(db.prepare('SELECT count(*) FROM waits').pluck().get(), 0);
  db.prepare(
    `INSERT INTO waits (submission_id, body, after, state, reason, created_at, updated_at)
     VALUES (2, '{}', '[1]', 'waiting', 'waits for #1', 0, 0)`,
  ).run();
  t.throws(
    () => db.prepare("UPDATE waits SET state = 'gone' WHERE submission_id = 2").run(),
    /CHECK constraint/,
    'an unknown state is refused',
  );
  const open = db
    .prepare("SELECT submission_id FROM waits WHERE state IN ('waiting', 'sending')")
    .pluck()
    .all();
  t.same(open, [2]);
  const step = db.prepare(
    "INSERT INTO pipeline_steps (pipeline, step, digest, submission_id, created_at) VALUES ('p', 'train', 'd', 2, 0)",
  );
  step.run();
  t.throws(() => step.run(), /UNIQUE|PRIMARY KEY/, 'a step is recorded once per pipeline');
});
