// TaskLife: operations are atomic, listeners hear each stored event once its transaction commits (never one
// rolled back), and a listener that fails is logged without failing the writer.
import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../../agent/log.js';
import { TaskLife } from '../../../agent/tasks/life.js';
import { noted } from '../../../agent/tasks/agent-events.js';
import type { EventRow } from '../../../agent/db/repos/index.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { openRepos } from '../../helpers/http-fixtures.js';

function setup(t: Test) {
  const repos = openRepos(t.testdir());
  t.teardown(() => repos.db.close());
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const clock = new FakeClock(1_795_870_900_000);
  const life = new TaskLife({ repos, clock, logger });
  const heard: EventRow[] = [];
  life.onRecorded((e) => void heard.push(e));
  return { repos, life, heard, lines, clock };
}

const note = (message: string) => ({ level: 'info' as const, kind: 'token-recovered', message });

t.test('a listener hears the stored row after the commit, scrubbed as stored', async (t) => {
  const { repos, life, heard, clock } = setup(t);
  let seenInside = -1;
  life.atomically(() => {
    noted(life, note('SAS token for c refreshed again: https://x.blob/c?sig=SECRET'));
    seenInside = heard.length;
  });
  t.equal(seenInside, 0, 'nothing is told while the transaction is open');
  t.equal(heard.length, 1);
  const stored = repos.events.list({ limit: 10 })[0];
  t.same(heard[0], stored, 'the listener gets the row as stored');
  t.equal(heard[0]!.at, clock.now());
  t.notMatch(heard[0]!.message, /SECRET/);
});

t.test('a rolled-back operation stores nothing and tells nobody; the outer one still commits', async (t) => {
  const { repos, life, heard } = setup(t);
  life.atomically(() => {
    noted(life, note('kept'));
    t.throws(() =>
      life.atomically(() => {
        noted(life, note('rolled back'));
        throw new Error('boom');
      }),
    );
  });
  t.same(
    heard.map((e) => e.message),
    ['kept'],
  );
  t.same(
    repos.events.list({ limit: 10 }).map((e) => e.message),
    ['kept'],
  );
  t.throws(() =>
    life.atomically(() => {
      noted(life, note('gone'));
      throw new Error('x');
    }),
  );
  t.equal(heard.length, 1, 'an outermost rollback tells nobody either');
});

t.test('a failing listener is logged, and neither the writer nor the other listeners notice', async (t) => {
  const { life, heard, lines } = setup(t);
  life.onRecorded(() => {
    throw new Error('listener broke');
  });
  life.onRecorded(async () => {
    throw new Error('async listener broke');
  });
  const after: string[] = [];
  const stop = life.onRecorded((e) => void after.push(e.message));
  t.doesNotThrow(() => noted(life, note('one')));
  await new Promise((r) => setImmediate(r));
  t.equal(heard.length, 1);
  t.same(after, ['one']);
  t.equal(lines.filter((l) => l.msg === 'a listener to recorded events failed').length, 2);
  stop();
  noted(life, note('two'));
  t.same(after, ['one'], 'a listener that stopped hears nothing more');
});

t.test(
  'an event outside an operation is refused; an unknown service kind is kept as agent.other',
  async (t) => {
    const { life, heard } = setup(t);
    t.throws(() => life.record({ level: 'info', kind: 'steering', message: 'x' }), {
      code: 'AGENT_ERR_INTERNAL',
    });
    noted(life, { level: 'warn', kind: 'token-new-kind', message: 'm', data: { a: 1 } });
    t.equal(heard[0]!.kind, 'agent.other');
    t.same(heard[0]!.data, { a: 1, kind: 'token-new-kind' });
    noted(life, { level: 'info', kind: 'preflight.fit-time', message: 'm', data: { minutes: 30 } });
    t.equal(heard[1]!.kind, 'preflight.fit-time', 'a listed kind is stored as itself');
    t.same(heard[1]!.data, { minutes: 30 });
  },
);
