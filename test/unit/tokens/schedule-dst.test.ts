// Cron ticks across a daylight-saving change (its own process: the zone is fixed before node-cron's first use).
import t from 'tap';
import { CronSchedule } from '../../../agent/tokens/schedule.js';

process.env.TZ = 'Europe/Oslo';

const next = (expr: string, fromIso: string) => {
  const s = new CronSchedule(expr);
  try {
    const at = s.nextAfter(Date.parse(fromIso));
    return at === null ? null : new Date(at).toISOString();
  } finally {
    s.dispose();
  }
};

t.test('spring forward (2026-03-29 02:00 -> 03:00 local)', async (t) => {
  t.equal(next('0 3 * * *', '2026-03-28T12:00:00Z'), '2026-03-29T01:00:00.000Z', '03:00 CEST exists');
  t.equal(
    next('30 2 * * *', '2026-03-28T12:00:00Z'),
    '2026-03-30T00:30:00.000Z',
    '02:30 does not exist that day',
  );
  t.equal(
    next('30 2 29 3 *', '2026-03-28T12:00:00Z'),
    '2027-03-29T00:30:00.000Z',
    'only a missing time: next year',
  );
  t.equal(
    next('*/10 * * * *', '2026-03-29T00:55:00Z'),
    '2026-03-29T01:00:00.000Z',
    '01:55 CET -> 03:00 CEST',
  );
});

t.test('local days: a weekday-and-date rule skips whole days', async (t) => {
  t.equal(
    next('* * 13 * 5', '2026-01-01T12:00:00Z'),
    '2026-02-12T23:00:00.000Z',
    'Friday 13 Feb, local midnight',
  );
});
