// Marker and progress patterns on a real folder tree: globs in every part, **, {index} as a whole number.
import t from 'tap';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { donePathPresent, progressSince } from '../../../agent/resume/marker-files.js';
import { matchPaths } from '../../../agent/resume/path-pattern.js';

function tree(dir: string, files: string[]): void {
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), 'x');
  }
}
const rel = (dir: string, ps: string[]) => ps.map((p) => path.relative(dir, p)).sort();

t.test('a glob in a folder part and ** for any depth', async (t) => {
  const dir = t.testdir();
  tree(dir, ['out/aef/a-1.tar', 'out/tessera/b-1.tar', 'out/tessera/train/worker-07/c-1.tar', 'out/x.txt']);
  t.same(rel(dir, await matchPaths(dir, 'out/*/*.tar', 1)), ['out/aef/a-1.tar', 'out/tessera/b-1.tar']);
  t.same(rel(dir, await matchPaths(dir, 'out/**/*-{index}.tar', 1)), [
    'out/aef/a-1.tar',
    'out/tessera/b-1.tar',
    'out/tessera/train/worker-07/c-1.tar',
  ]);
  t.same(await matchPaths(dir, 'nowhere/*/*.tar', 1), []);
});

t.test('{index} matches the whole number only; {index:04} the padded one', async (t) => {
  const dir = t.testdir();
  tree(dir, ['s/shard-0-a.tar', 's/shard-10-a.tar', 's/shard-0001.tar', 's/shard-1-b.tar', 's/x-100.tar']);
  t.same(rel(dir, await matchPaths(dir, 's/*{index}*.tar', 0)), ['s/shard-0-a.tar']);
  t.same(rel(dir, await matchPaths(dir, 's/*{index}*.tar', 1)), ['s/shard-1-b.tar']);
  t.same(rel(dir, await matchPaths(dir, 's/shard-{index:04}.tar', 1)), ['s/shard-0001.tar']);
  t.same(rel(dir, await matchPaths(dir, 's/*-{index}.tar', 100)), ['s/x-100.tar']);
});

t.test('done marker and progress through patterns', async (t) => {
  const dir = t.testdir();
  tree(dir, ['out/aef/done-3', 'out/aef/shard-3-00001.tar', 'out/aef/shard-13-00001.tar']);
  t.ok(await donePathPresent(dir, 'out/*/done-{index}', 3));
  t.notOk(await donePathPresent(dir, 'out/*/done-{index}', 1));
  t.ok(await donePathPresent(dir, 'out/aef/done-3', 0), 'a plain path');
  const old = new Date(Date.now() - 3_600_000);
  utimesSync(path.join(dir, 'out/aef/shard-3-00001.tar'), old, old);
  const since = Date.now() - 60_000;
  t.notOk(
    await progressSince(dir, 'out/**/shard-{index}-*.tar', 3, since),
    "task 13's shard is not task 3's",
  );
  t.ok(await progressSince(dir, 'out/**/shard-{index}-*.tar', 13, since));
  t.ok(await progressSince(dir, 'out/aef', 0, since), 'a folder: its entries');
});
