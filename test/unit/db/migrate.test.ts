import t from 'tap';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../../agent/db/migrate.js';
import { openDatabase } from '../../../agent/db/open.js';

t.test('migrations are numbered without gaps', async (t) => {
  const ms = loadMigrations(defaultMigrationsDir());
  t.ok(ms.length >= 1);
  ms.forEach((m, i) => t.equal(m.version, i + 1, m.name));
});

t.test('0001-init creates the core tables and their constraints', async (t) => {
  const db = new BetterSqlite3(':memory:');
  const first = loadMigrations(defaultMigrationsDir()).filter((m) => m.version === 1);
  migrate(db, first);
  t.equal(db.pragma('user_version', { simple: true }), 1);
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]
  ).map((r) => r.name);
  for (const name of ['submissions', 'tasks', 'attempts', 'intents', 'events'])
    t.ok(tables.includes(name), name);
  db.prepare(
    "INSERT INTO submissions (origin, args, cwd, env, first_job_id, created_at) VALUES ('submit', '[]', '/', '{}', '1', 0)",
  ).run();
  t.throws(
    () =>
      db
        .prepare(
          "INSERT INTO tasks (submission_id, array_index, state, updated_at) VALUES (1, 0, 'bogus', 0)",
        )
        .run(),
    /CHECK/,
  );
  db.prepare(
    "INSERT INTO tasks (submission_id, array_index, state, updated_at) VALUES (1, 0, 'queued', 0)",
  ).run();
  t.throws(
    () =>
      db
        .prepare(
          "INSERT INTO tasks (submission_id, array_index, state, updated_at) VALUES (1, 0, 'queued', 0)",
        )
        .run(),
    /UNIQUE/,
  );
});

t.test('all pending migrations apply in one transaction: a failing one leaves nothing behind', async (t) => {
  const dir = t.testdir({
    '0001-a.sql': 'CREATE TABLE a (x INTEGER);',
    '0002-b.sql': 'CREATE TABLE b (x INTEGER); THIS IS NOT SQL;',
  });
  const db = new BetterSqlite3(':memory:');
  t.throws(() => migrate(db, loadMigrations(dir)));
  t.equal(db.pragma('user_version', { simple: true }), 0);
  t.same(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get(), { n: 0 });
});

t.test('a database from a newer build is refused', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'agent.db');
  const { db } = openDatabase(file, { journal: 'wal' });
  const latest = db.pragma('user_version', { simple: true }) as number;
  db.pragma(`user_version = ${latest + 5}`);
  db.close();
  t.throws(() => openDatabase(file, { journal: 'wal' }), {
    code: 'AGENT_ERR_DB_NEWER',
    message: /newer than this build/,
  });
});

t.test(
  'journal mode follows the choice: WAL locally, exclusive rollback journal on network filesystems',
  async (t) => {
    const dir = t.testdir();
    const wal = openDatabase(path.join(dir, 'a.db'), { journal: 'wal' });
    t.equal(wal.db.pragma('journal_mode', { simple: true }), 'wal');
    wal.db.close();
    const rb = openDatabase(path.join(dir, 'b.db'), { journal: 'exclusive-rollback' });
    t.equal(rb.db.pragma('journal_mode', { simple: true }), 'delete');
    t.equal(rb.db.pragma('locking_mode', { simple: true }), 'exclusive');
    rb.db.close();
  },
);

t.test('misnamed migration files are refused', async (t) => {
  const dir = t.testdir({ '1-a.sql': '' });
  writeFileSync(path.join(dir, '0001-ok.sql'), '');
  t.throws(() => loadMigrations(dir), /NNNN-name\.sql/);
});

t.test(
  '0003-submit-intents: submit intents with a unique tag (or none), and the one-row write probe',
  async (t) => {
    const db = new BetterSqlite3(':memory:');
    migrate(
      db,
      loadMigrations(defaultMigrationsDir()).filter((m) => m.version <= 3),
    );
    t.equal(db.pragma('user_version', { simple: true }), 3);
    const insert = db.prepare(
      "INSERT INTO submit_intents (tag, recipe, indices, is_array, state, created_at, updated_at) VALUES (?, '{}', '[0]', 0, ?, 0, 0)",
    );
    insert.run('emb-agent:submit=a', 'pending');
    insert.run(null, 'pending');
    insert.run(null, 'failed');
    t.throws(() => insert.run('emb-agent:submit=a', 'pending'), /UNIQUE/, 'a tag names one submit');
    t.throws(() => insert.run('emb-agent:submit=b', 'lost'), /CHECK/);
    t.same(db.prepare('SELECT id, at FROM write_probe').all(), [{ id: 1, at: 0 }]);
    t.throws(() => db.prepare('INSERT INTO write_probe (id, at) VALUES (2, 0)').run(), /CHECK/);
  },
);
