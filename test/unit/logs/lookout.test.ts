import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LogLookout } from '../../../agent/logs/lookout.js';

t.test('reports each awaited log once it exists, and only then', async (t) => {
  const dir = t.testdir({});
  const lo = new LogLookout<string>();
  lo.expect('1_0', [path.join(dir, 'a_0.out'), path.join(dir, 'a_0.err')], 'zero');
  lo.expect('1_1', [path.join(dir, 'a_1.out')], 'one');
  t.same(await lo.poll(), [], 'nothing exists yet');
  writeFileSync(path.join(dir, 'a_0.err'), '');
  const found = await lo.poll();
  t.same(found, [
    { key: '1_0', paths: [path.join(dir, 'a_0.out'), path.join(dir, 'a_0.err')], value: 'zero' },
  ]);
  t.equal(lo.has('1_0'), false, 'a found key is no longer awaited');
  t.same(await lo.poll(), []);
  writeFileSync(path.join(dir, 'a_1.out'), '');
  t.same(
    (await lo.poll()).map((f) => f.key),
    ['1_1'],
  );
  t.equal(lo.size, 0);
});

t.test('many logs created in one folder at once are all found (the listing path)', async (t) => {
  const dir = t.testdir({});
  const lo = new LogLookout<null>();
  for (let i = 0; i < 100; i++) lo.expect(`7_${i}`, [path.join(dir, `t_${i}.out`)], null);
  t.same(await lo.poll(), []);
  for (let i = 0; i < 100; i += 3) writeFileSync(path.join(dir, `t_${i}.out`), '');
  const keys = (await lo.poll()).map((f) => f.key).sort();
  t.equal(keys.length, 34);
  t.equal(lo.size, 66);
});

t.test('a folder that appears later, and a cancelled key, are handled', async (t) => {
  const root = t.testdir({});
  const dir = path.join(root, 'logs');
  const lo = new LogLookout<null>();
  lo.expect('a', [path.join(dir, 'a.out')], null);
  lo.expect('b', [path.join(dir, 'b.out')], null);
  t.same(await lo.poll(), [], 'a missing folder is no error');
  mkdirSync(dir);
  lo.cancel('b');
  writeFileSync(path.join(dir, 'a.out'), '');
  writeFileSync(path.join(dir, 'b.out'), '');
  t.same(
    (await lo.poll()).map((f) => f.key),
    ['a'],
  );
  t.equal(lo.size, 0);
});

t.test('an unchanged folder is looked at again once after a change (one-second mtimes)', async (t) => {
  const dir = t.testdir({});
  const lo = new LogLookout<null>();
  lo.expect('x', [path.join(dir, 'x.out')], null);
  lo.expect('y', [path.join(dir, 'y.out')], null);
  writeFileSync(path.join(dir, 'x.out'), '');
  t.same(
    (await lo.poll()).map((f) => f.key),
    ['x'],
  );
  // Simulate a creation within the same mtime tick: put the mtime back where the lookout last saw it.
  const { utimesSync, statSync } = await import('node:fs');
  const before = statSync(dir);
  writeFileSync(path.join(dir, 'y.out'), '');
  utimesSync(dir, before.atime, before.mtime);
  t.same(
    (await lo.poll()).map((f) => f.key),
    ['y'],
    'found by the second look',
  );
});
