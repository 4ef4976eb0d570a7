import t from 'tap';
import { ShardTable } from '../../../agent/shards/table.js';

t.test('adds, stats and removes; totals stay right', async (t) => {
  const tab = new ShardTable();
  for (let i = 0; i < 40; i++) tab.add(`s-${i}.tar`, i % 3 === 0 ? null : i % 4);
  t.equal(tab.count, 40);
  t.equal(tab.pending, 40);
  t.same(tab.pendingNames(3), ['s-0.tar', 's-1.tar', 's-10.tar'], 'in name order');
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
  tab.forEach((size, mtime, index, name) => seen.push([name(), size, mtime, index]));
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
  t.same(tab.allNames().length, 38);
  tab.clear();
  t.equal(tab.count, 0);
  t.equal(tab.bytes, 0);
});

t.test('sync makes the table hold a listing and keeps what is known of the names it had', async (t) => {
  const tab = new ShardTable();
  const idx = (n: string) => Number(/(\d+)/.exec(n)?.[1] ?? NaN);
  tab.sync(['b-2.tar', 'a-1.tar', 'é-3.tar', 'c-4.tar'], idx);
  t.same(tab.allNames(), ['a-1.tar', 'b-2.tar', 'c-4.tar', 'é-3.tar']);
  tab.setStat('b-2.tar', 5, 100);
  tab.setStat('é-3.tar', 7, 200);
  tab.sync(['é-3.tar', 'b-2.tar', 'd-5.tar'], idx);
  t.same(tab.allNames(), ['b-2.tar', 'd-5.tar', 'é-3.tar']);
  t.equal(tab.count, 3);
  t.equal(tab.bytes, 12, 'sizes of kept names survive');
  t.equal(tab.mtimeOf('é-3.tar'), 200);
  t.equal(tab.pending, 1, 'only the new name waits for its stat');
  t.equal(tab.has('a-1.tar'), false);
  t.equal(tab.has('d-5.tar'), true);
  const seen: (number | null)[] = [];
  tab.forEach((_size, _mtime, index) => seen.push(index));
  t.same(seen, [2, 5, 3]);
  tab.sync([], idx);
  t.equal(tab.count, 0);
  t.equal(tab.bytes, 0);
  t.equal(tab.pending, 0);
});

t.test('additions and removals between reads agree with a fresh table', async (t) => {
  const tab = new ShardTable();
  const live = new Set<string>();
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let step = 0; step < 2000; step++) {
    const name = `x-${rnd(300)}.tar`;
    if (rnd(3) === 0) {
      tab.remove(name);
      live.delete(name);
    } else {
      tab.add(name, null);
      live.add(name);
    }
    if (rnd(10) === 0) tab.setStat([...live][0] ?? 'none', 1, 1);
    t.equal(tab.has(name), live.has(name));
  }
  t.equal(tab.count, live.size);
  t.same(tab.allNames(), [...live].sort());
  t.end();
});
