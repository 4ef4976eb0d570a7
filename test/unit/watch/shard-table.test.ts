import t from 'tap';
import { ShardTable } from '../../../agent/watch/shard-table.js';

t.test('adds, stats, removes and reuses slots; totals stay right', async (t) => {
  const tab = new ShardTable();
  for (let i = 0; i < 40; i++) tab.add(`s-${i}.tar`, i % 3 === 0 ? null : i % 4);
  t.equal(tab.count, 40);
  t.equal(tab.pending, 40);
  t.same(tab.pendingNames(3), ['s-0.tar', 's-1.tar', 's-2.tar']);
  for (let i = 0; i < 40; i++) tab.setStat(`s-${i}.tar`, 10, 1000 + i);
  t.equal(tab.pending, 0);
  t.equal(tab.bytes, 400);
  tab.setStat('s-5.tar', 25, 2000);
  t.equal(tab.bytes, 415, 'a re-stat replaces the size');
  t.equal(tab.mtimeOf('s-5.tar'), 2000);
  tab.remove('s-5.tar');
  tab.remove('s-6.tar');
  tab.remove('missing.tar');
  t.equal(tab.count, 38);
  t.equal(tab.bytes, 380);
  tab.add('new.tar', 7);
  t.equal(tab.pending, 1);
  t.equal(tab.mtimeOf('new.tar'), null);
  const seen: [string, number, number | null, number | null][] = [];
  tab.forEach((name, size, mtime, index) => seen.push([name, size, mtime, index]));
  t.equal(seen.length, 39);
  t.same(
    seen.find((s) => s[0] === 'new.tar'),
    ['new.tar', 0, null, 7],
  );
  t.same(
    seen.find((s) => s[0] === 's-3.tar'),
    ['s-3.tar', 10, 1003, null],
  );
  tab.remove('new.tar');
  t.equal(tab.pending, 0, 'removing an unstatted shard leaves nothing pending');
  t.same([...tab.allNames()].length, 38);
  tab.clear();
  t.equal(tab.count, 0);
  t.equal(tab.bytes, 0);
});
