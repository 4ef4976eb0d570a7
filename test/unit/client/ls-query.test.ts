// ls's filters as the query string the agent takes (client/commands/ls-query.ts).
import t from 'tap';
import { listQuery, sinceIso } from '../../../client/commands/ls-query.js';
import { UsageError } from '../../../client/errors.js';

const NOW = Date.parse('2026-12-01T06:00:00.000Z');

t.test('--since: relative, a date, an ISO time; anything else is a usage error', async (t) => {
  t.equal(sinceIso('2h', NOW), '2026-12-01T04:00:00.000Z');
  t.equal(sinceIso('3d', NOW), '2026-11-28T06:00:00.000Z');
  t.equal(sinceIso('1w', NOW), '2026-11-24T06:00:00.000Z');
  t.equal(sinceIso('30m', NOW), '2026-12-01T05:30:00.000Z');
  t.equal(sinceIso('2026-11-30T12:00:00Z', NOW), '2026-11-30T12:00:00.000Z');
  t.equal(sinceIso('2026-11-30', NOW), new Date(2026, 10, 30).toISOString(), 'a date: local midnight');
  for (const bad of ['yesterday', '2x', '0h', '12', '']) t.throws(() => sinceIso(bad, NOW), UsageError, bad);
});

t.test('the query string', async (t) => {
  t.equal(listQuery(new Map(), NOW), '');
  const q = listQuery(
    new Map<string, string | true>([
      ['state', 'failed'],
      ['name', 'build shards'],
      ['since', '2h'],
      ['all', true],
    ]),
    NOW,
  );
  t.equal(q, '?state=failed&name=build+shards&since=2026-12-01T04%3A00%3A00.000Z&all=true');
  t.throws(() => listQuery(new Map([['state', 'PENDING']]), NOW), UsageError);
});
