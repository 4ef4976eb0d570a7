// ls --state/--name/--since/--all on the list (agent/views/list-filter.ts).
import t from 'tap';
import type { Submission } from '../../../agent/api/schemas.js';
import { ListFilter } from '../../../agent/views/list-filter.js';

function sub(id: number, name: string, createdAt: string, states: string[], archived = false): Submission {
  return {
    id,
    name,
    createdAt,
    ...(archived ? { archivedAt: '2026-12-01T00:00:00.000Z' } : {}),
    tasks: states.map((state, index) => ({ index, state })),
  } as unknown as Submission;
}

const list = [
  sub(1, 'build_shards', '2026-11-01T00:00:00.000Z', ['done', 'failed']),
  sub(2, 'merge', '2026-12-01T05:00:00.000Z', ['running']),
  sub(3, 'build_old', '2026-10-01T00:00:00.000Z', ['done'], true),
];
const ids = (l: Submission[]) => l.map((s) => s.id);

t.test('archived ones only with all; the plain list is the same object while the list is', async (t) => {
  const f = new ListFilter();
  t.same(ids(f.apply(list, {})), [1, 2]);
  t.equal(f.apply(list, {}), f.apply(list, {}), 'kept, so its JSON stays cached');
  t.same(ids(f.apply(list, { all: true })), [1, 2, 3]);
});

t.test('state keeps only those tasks; name and since narrow', async (t) => {
  const f = new ListFilter();
  const failed = f.apply(list, { state: 'failed' });
  t.same(ids(failed), [1]);
  t.same(
    failed[0]?.tasks.map((x) => x.index),
    [1],
  );
  t.same(ids(f.apply(list, { state: 'done', all: true })), [1, 3]);
  t.same(ids(f.apply(list, { name: 'build' })), [1]);
  t.same(ids(f.apply(list, { name: 'build', all: true })), [1, 3]);
  t.same(ids(f.apply(list, { since: '2026-11-15T00:00:00Z' })), [2]);
  t.same(ids(f.apply(list, { since: '2026-12-01T06:00:00+01:00' })), [2], 'a zone counts');
});

t.test('state waiting: the submissions kept back and not sent yet', async (t) => {
  const f = new ListFilter();
  const kept = (id: number, state: string) =>
    ({ ...sub(id, 'train', '2026-12-01T05:00:00.000Z', []), waiting: { state } }) as unknown as Submission;
  const withWaits = [...list, kept(4, 'waiting'), kept(5, 'sending'), kept(6, 'dropped')];
  t.same(ids(f.apply(withWaits, { state: 'waiting' })), [4, 5]);
  t.same(ids(f.apply(withWaits, { state: 'running' })), [2], 'a task state never lists one with no task');
});
