import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { ShardStore } from '../../../agent/shards/store.js';

const migration = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../migrations/0002-shard-samples.sql',
);

function freshDb() {
  const db = new BetterSqlite3(':memory:');
  db.exec(readFileSync(migration, 'utf8'));
  return db;
}

t.test('the migration creates a working shard_samples table', async (t) => {
  const db = freshDb();
  t.teardown(() => db.close());
  const cols = db.prepare("SELECT name FROM pragma_table_info('shard_samples')").all() as { name: string }[];
  t.same(cols.map((c) => c.name).sort(), ['at', 'bytes', 'count', 'dir']);
  t.throws(() => db.prepare('INSERT INTO shard_samples VALUES (?, ?, ?, ?)').run('/d', 1, -1, 0), /CHECK/);
});

t.test(
  'the migration runs inside one transaction with others (no BEGIN/COMMIT or pragmas of its own)',
  async (t) => {
    const sql = readFileSync(migration, 'utf8');
    t.notMatch(sql, /\b(BEGIN|COMMIT|PRAGMA)\b/i);
    const db = new BetterSqlite3(':memory:');
    t.teardown(() => db.close());
    db.transaction(() => db.exec(sql))();
    t.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'shard_samples'").get());
  },
);

t.test('record, latest, baseline, series and prune', async (t) => {
  const db = freshDb();
  t.teardown(() => db.close());
  const store = new ShardStore(db);
  store.record([
    { dir: '/a', at: 1000, count: 1, bytes: 10 },
    { dir: '/a', at: 2000, count: 2, bytes: 20 },
    { dir: '/a', at: 3000, count: 5, bytes: 50 },
    { dir: '/b', at: 1500, count: 7, bytes: 70 },
  ]);
  store.record([{ dir: '/a', at: 3000, count: 6, bytes: 60 }]);
  t.same(store.latest('/a'), { dir: '/a', at: 3000, count: 6, bytes: 60 }, 'same millisecond replaces');
  t.equal(store.latest('/none'), null);
  t.equal(store.baseline('/a', 2500)?.at, 2000, 'the value at a moment is the newest sample at or before it');
  t.equal(store.baseline('/a', 500)?.at, 1000, 'a window older than the series starts at its first sample');
  t.same(
    store.series('/a', 1500).map((s) => s.count),
    [2, 6],
  );
  t.equal(store.prune(10_000), 2, 'old rows go, each folder keeps its newest');
  t.same(store.latest('/b')?.count, 7);
  t.same(store.series('/a', 0).length, 1);
  store.record([]);
});
