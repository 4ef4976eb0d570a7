import t from 'tap';
import { appendFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compileGlob } from '../../../agent/fs/glob.js';
import { GroupLister } from '../../../agent/shards/group.js';
import { shardIndex } from '../../../agent/shards/task-index.js';
import { FolderScanner, type ScanContext } from '../../../agent/shards/scan.js';

function ctx(over: Partial<ScanContext> = {}): ScanContext {
  return {
    now: Date.now(),
    budget: { left: 1_000_000 },
    freshMs: 0,
    refreshDue: false,
    concurrency: 4,
    ...over,
  };
}

/** Sets a folder's mtime to a whole second, as a filesystem with one-second timestamps (Lustre) shows it. */
function pinMtime(dir: string): void {
  utimesSync(dir, 1_700_000_000, 1_700_000_000);
}

t.test('an idle folder is not listed again; new and removed names are', async (t) => {
  const dir = t.testdir({
    'shard-0-000001.tar': 'aaaa',
    'shard-0-000002.tar': 'bb',
    'notes.txt': 'x',
    sub: {},
  });
  const s = new FolderScanner(dir, compileGlob('*.tar'));
  let o = await s.scan(ctx());
  t.ok(o.listed);
  t.equal(o.statted, 2, 'only shard names are statted');
  t.equal(s.count, 2);
  t.equal(s.bytes, 6);
  o = await s.scan(ctx());
  t.ok(o.listed, 'listed once more right after a change (one-second mtimes)');
  t.equal(o.statted, 0, 'known names are not statted again');
  o = await s.scan(ctx());
  t.notOk(o.listed, 'then an unchanged folder costs one stat');
  t.notOk(o.changed);

  writeFileSync(path.join(dir, 'shard-1-000001.tar'), '123');
  rmSync(path.join(dir, 'shard-0-000001.tar'));
  // Make sure the folder's mtime moves even on filesystems with coarse timestamps.
  const later = new Date(Date.now() + 2000);
  utimesSync(dir, later, later);
  o = await s.scan(ctx());
  t.ok(o.listed);
  t.ok(o.changed);
  t.equal(o.statted, 1, 'only the new name is statted');
  t.equal(s.count, 2);
  t.equal(s.bytes, 5);
  t.same([...s.table.allNames()].sort(), ['shard-0-000002.tar', 'shard-1-000001.tar']);
});

t.test('an entry added within the same second as a listing is still seen', async (t) => {
  const dir = t.testdir({ 'a.tar': '' });
  pinMtime(dir);
  const s = new FolderScanner(dir, compileGlob('*.tar'));
  await s.scan(ctx());
  writeFileSync(path.join(dir, 'b.tar'), '');
  pinMtime(dir);
  t.ok((await s.scan(ctx())).listed, 'listed again because the previous scan saw a change');
  t.equal(s.count, 2);
  writeFileSync(path.join(dir, 'c.tar'), '');
  pinMtime(dir);
  t.notOk((await s.scan(ctx())).listed, 'a folder unchanged for a whole cycle is trusted');
  t.equal(s.count, 2, 'so only a second-exact mtime collision a cycle later could hide an entry');
});

t.test('the stat budget spreads a big first scan over cycles; the count is right at once', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 10; i++) files[`s-${i}.tar`] = 'xx';
  const dir = t.testdir(files);
  const s = new FolderScanner(dir, compileGlob('*.tar'));
  await s.scan(ctx({ budget: { left: 3 } }));
  t.equal(s.count, 10);
  t.equal(s.pendingStats, 7);
  t.equal(s.bytes, 6, 'bytes is a lower bound meanwhile');
  await s.scan(ctx({ budget: { left: 3 } }));
  await s.scan(ctx({ budget: { left: 100 } }));
  t.equal(s.pendingStats, 0);
  t.equal(s.bytes, 20);
});

t.test('a shard still being written is re-statted while young, when the refresh is due', async (t) => {
  const dir = t.testdir({ 'w-0-000001.tar': 'x' });
  const s = new FolderScanner(dir, compileGlob('*.tar'));
  const young = { freshMs: 30 * 60_000 };
  await s.scan(ctx(young));
  await s.scan(ctx(young));
  appendFileSync(path.join(dir, 'w-0-000001.tar'), 'yyyy');
  await s.scan(ctx(young));
  t.equal(s.bytes, 1, 'growth inside a file does not change the folder');
  const o = await s.scan(ctx({ ...young, refreshDue: true }));
  t.equal(o.statted, 1);
  t.equal(s.bytes, 5);
  const old = new Date(Date.now() - 3_600_000);
  utimesSync(path.join(dir, 'w-0-000001.tar'), old, old);
  await s.scan(ctx({ ...young, refreshDue: true }));
  t.equal(
    (await s.scan(ctx({ ...young, refreshDue: true }))).statted,
    0,
    'an old file is final: no more stats',
  );
});

t.test('a missing folder is reported, not an error, and appears later', async (t) => {
  const root = t.testdir({});
  const dir = path.join(root, 'aef');
  const s = new FolderScanner(dir, compileGlob('*.tar'));
  await s.scan(ctx());
  t.equal(s.exists, false);
  t.equal(s.error, null);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'x.tar'), 'abc');
  await s.scan(ctx());
  t.equal(s.exists, true);
  t.equal(s.count, 1);
  rmSync(dir, { recursive: true });
  const o = await s.scan(ctx());
  t.ok(o.changed);
  t.equal(s.count, 0);
});

t.test('a path that is a file, not a folder, is an error', async (t) => {
  const root = t.testdir({ 'file.tar': 'x' });
  const s = new FolderScanner(path.join(root, 'file.tar'), compileGlob('*.tar'));
  await s.scan(ctx());
  t.equal(s.exists, false);
  t.match(s.error, /not a folder/);
});

t.test('array indices from shard names', async (t) => {
  t.equal(shardIndex('shard-3-000012.tar'), 3);
  t.equal(shardIndex('aef_task7_000012.tar'), 7);
  t.equal(shardIndex('tessera-shard-12-000001.tar'), 12);
  t.equal(shardIndex('worker3-000012.tar'), 3);
  t.equal(shardIndex('tessera-w11-000004.tar'), 11);
  t.equal(shardIndex('shard-000012.tar'), null, 'a serial number alone is no index');
  t.equal(shardIndex('data.tar'), null);
});

t.test('a parent/* group lists sub-folders only when the parent changes', async (t) => {
  const root = t.testdir({ shards: { aef: {}, tessera: {}, 'README.md': 'x', '.tmp': {} } });
  const parent = path.join(root, 'shards');
  const g = new GroupLister(parent);
  await g.refresh();
  t.same(
    g.subdirs,
    [path.join(parent, 'aef'), path.join(parent, 'tessera')],
    'folders only, hidden ones skipped',
  );
  mkdirSync(path.join(parent, 'cdl'));
  const later = new Date(Date.now() + 2000);
  utimesSync(parent, later, later);
  await g.refresh();
  t.equal(g.subdirs.length, 3);
  const missing = new GroupLister(path.join(root, 'nope'));
  await missing.refresh();
  t.equal(missing.exists, false);
  t.same(missing.subdirs, []);
});

/** Moves a folder's mtime on by whole seconds, as a new entry would, whatever the timestamp resolution. */
let tick = 1_800_000_000;
function touchDir(dir: string): void {
  tick += 10;
  utimesSync(dir, tick, tick);
}

t.test('a deep scanner counts shards at any depth, listing only folders whose mtime changed', async (t) => {
  const dir = t.testdir({
    'shard-0-000001.tar': 'a',
    train: { 'shard-0-000002.tar': 'bb', 'worker-07': { 'shard-1-000003.tar': 'ccc' } },
    val: { 'shard-1-000004.tar': 'dddd' },
    '.partial': { 'shard-2-000005.tar': 'e' },
  });
  const flat = new FolderScanner(dir, compileGlob('*.tar'));
  await flat.scan(ctx());
  t.equal(flat.count, 1, 'a plain entry counts its own folder only');
  t.equal(flat.folderCount, 1);

  const s = new FolderScanner(dir, compileGlob('*.tar'), true);
  let o = await s.scan(ctx());
  t.equal(s.count, 4, 'shards of every sub-folder, hidden folders left out');
  t.equal(s.bytes, 10);
  t.equal(s.folderCount, 4, 'the folder, train, train/worker-07 and val');
  const indices: (number | null)[] = [];
  s.forEach((_size, _mtime, index) => indices.push(index));
  t.same(indices.sort(), [0, 0, 1, 1], 'forEach visits the shards at every depth');
  for (const d of [dir, path.join(dir, 'train'), path.join(dir, 'train/worker-07'), path.join(dir, 'val')])
    pinMtime(d);
  await s.scan(ctx());
  await s.scan(ctx());
  o = await s.scan(ctx());
  t.notOk(o.listed, 'an idle tree lists nothing: one stat per folder');
  t.equal(o.statted, 0);

  writeFileSync(path.join(dir, 'train/worker-07/shard-1-000006.tar'), 'ffffff');
  touchDir(path.join(dir, 'train/worker-07'));
  o = await s.scan(ctx());
  t.ok(o.listed && o.changed, "a new shard deep down changes only its folder's mtime, and is found");
  t.equal(o.statted, 1, 'only the new shard is statted');
  t.equal(s.count, 5);

  mkdirSync(path.join(dir, 'test'));
  writeFileSync(path.join(dir, 'test/shard-2-000007.tar'), 'g');
  touchDir(dir);
  await s.scan(ctx());
  t.equal(s.count, 6, "a new sub-folder shows in its parent's mtime and is counted at once");
  t.equal(s.folderCount, 5);

  await s.scan(ctx()); // the parent's second look after a change
  // The sub-folder replaced by a file behind the parent's back (its mtime set back): the sub-folder's error.
  rmSync(path.join(dir, 'test'), { recursive: true });
  writeFileSync(path.join(dir, 'test'), 'not a folder');
  utimesSync(dir, tick, tick);
  await s.scan(ctx());
  t.match(s.treeError, /not a folder/, "a sub-folder that cannot be read is reported as the entry's error");
  rmSync(path.join(dir, 'test'));
  mkdirSync(path.join(dir, 'test'));
  writeFileSync(path.join(dir, 'test/shard-2-000007.tar'), 'g');
  utimesSync(dir, tick, tick);
  await s.scan(ctx());
  t.equal(s.treeError, null);

  rmSync(path.join(dir, 'val'), { recursive: true });
  touchDir(dir);
  await s.scan(ctx());
  t.equal(s.count, 5, 'a removed sub-folder takes its shards with it');
  t.equal(s.folderCount, 4);
});
