// The gate's rule: sent only once every task of each prerequisite is done; a failed, stalled or exhausted
// prerequisite blocks it (release or cancel decides); a prerequisite still waiting, or partly done, keeps it.
import t from 'tap';
import { verdict, type PrerequisiteFacts } from '../../../agent/pipeline/prerequisites.js';

const facts = (...ps: PrerequisiteFacts[]) => new Map(ps.map((p) => [p.id, p]));
const sub = (id: number, counts: Record<string, number>, wait: PrerequisiteFacts['wait'] = null) => ({
  id,
  wait,
  counts,
});
const w = (after: number[], released = false) => ({ submissionId: 9, after, released });

t.test('every task of every prerequisite done: ready', async (t) => {
  const v = verdict(w([1, 2]), facts(sub(1, { done: 8 }), sub(2, { done: 1 })));
  t.same(v, { ready: true, blocked: false, reason: 'every prerequisite is done' });
});

t.test('partly done, or resuming after a checkpoint: it waits and says how far', async (t) => {
  const v = verdict(w([1]), facts(sub(1, { done: 2, resuming: 5, queued: 1 })));
  t.equal(v.ready, false);
  t.equal(v.blocked, false);
  t.equal(v.reason, 'waits for #1: 2 of 8 task(s) done');
});

t.test('a failed, stalled or exhausted task blocks it, naming the way on', async (t) => {
  for (const state of ['failed', 'stalled', 'exhausted']) {
    const v = verdict(w([1, 2]), facts(sub(1, { done: 3, [state]: 1 }), sub(2, { running: 1 })));
    t.equal(v.ready, false, state);
    t.equal(v.blocked, true, state);
    t.match(v.reason, `#1: 3 of 4 task(s) done, 1 ${state}`);
    t.match(v.reason, '#2: 0 of 1 task(s) done');
    t.match(v.reason, '`emb-client release #9` sends it anyway, `emb-client cancel #9` drops it');
  }
});

t.test('a held task is named, and keeps it waiting without blocking it', async (t) => {
  const v = verdict(w([1]), facts(sub(1, { done: 1, held: 1 })));
  t.same([v.ready, v.blocked], [false, false]);
  t.match(v.reason, '1 held');
});

t.test('a prerequisite itself still waiting keeps it; one dropped blocks it', async (t) => {
  t.equal(verdict(w([1]), facts(sub(1, {}, 'waiting'))).reason, 'waits for #1 has not been sent yet');
  t.equal(verdict(w([1]), facts(sub(1, {}, 'sending'))).ready, false);
  const dropped = verdict(w([1]), facts(sub(1, {}, 'dropped')));
  t.same([dropped.ready, dropped.blocked], [false, true]);
  t.match(dropped.reason, 'cancelled before it was sent');
});

t.test('released by the user: ready whatever the prerequisites say', async (t) => {
  const v = verdict(w([1], true), facts(sub(1, { failed: 4 })));
  t.same(v, { ready: true, blocked: false, reason: 'released by the user' });
});

t.test('a prerequisite with no tasks (none recorded yet) is not done', async (t) => {
  t.equal(verdict(w([1]), facts(sub(1, {}))).ready, false);
  t.equal(verdict(w([3]), facts()).blocked, true, 'one missing from the database blocks it');
});
