// The cron seam: node-cron validates and matches; nextAfter finds the next tick from any given time.
import { getTasks } from 'node-cron';
import t from 'tap';
import { CronSchedule, cronProblem } from '../../../agent/tokens/schedule.js';
import '../../helpers/tokens-harness.js'; // pins TZ=UTC

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

t.test('cronProblem: node-cron decides, the message names the expression and field', async (t) => {
  t.equal(cronProblem('*/10 * * * *'), null);
  t.equal(cronProblem('*/30 * * * * *'), null, 'six fields, seconds first');
  t.equal(cronProblem('@hourly'), null);
  t.match(
    cronProblem('*/10 * * *'),
    /^"\*\/10 \* \* \*" is not a valid cron expression \(expected 5 or 6 fields but got 4\)$/,
  );
  t.match(cronProblem('0 25 * * *'), /hour: 25 is a invalid expression for hour/);
  t.match(cronProblem('every ten minutes'), /not a valid cron expression/);
});

t.test('nextAfter is strictly after the given time', async (t) => {
  const s = new CronSchedule('*/10 * * * *');
  t.teardown(() => s.dispose());
  t.equal(iso(s.nextAfter(at('2026-01-01T12:00:30Z'))), '2026-01-01T12:10:00.000Z');
  t.equal(
    iso(s.nextAfter(at('2026-01-01T12:10:00Z'))),
    '2026-01-01T12:20:00.000Z',
    'on a tick: the next one',
  );
  t.equal(iso(s.nextAfter(at('2026-01-01T12:09:59.999Z'))), '2026-01-01T12:10:00.000Z');
  t.equal(iso(s.nextAfter(at('2026-12-31T23:55:00Z'))), '2027-01-01T00:00:00.000Z');
});

t.test('seconds, hours, months, days of week and nicknames', async (t) => {
  const cases: [string, string, string][] = [
    ['*/30 * * * * *', '2026-01-01T12:00:10Z', '2026-01-01T12:00:30.000Z'],
    ['15,45 * * * * *', '2026-01-01T12:00:50Z', '2026-01-01T12:01:15.000Z'],
    ['0 3 * * *', '2026-01-01T12:00:00Z', '2026-01-02T03:00:00.000Z'],
    ['30 6 1 7 *', '2026-01-01T12:00:00Z', '2026-07-01T06:30:00.000Z'],
    ['0 0 29 2 *', '2026-01-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['0 9 * * 1', '2026-01-01T12:00:00Z', '2026-01-05T09:00:00.000Z'], // 2026-01-01 is a Thursday
    ['@hourly', '2026-01-01T12:00:01Z', '2026-01-01T13:00:00.000Z'],
  ];
  for (const [expr, from, want] of cases) {
    const s = new CronSchedule(expr);
    t.equal(iso(s.nextAfter(at(from))), want, `${expr} after ${from}`);
    s.dispose();
  }
});

t.test('an invalid expression is refused at construction; dispose unregisters from node-cron', async (t) => {
  t.throws(() => new CronSchedule('61 * * * *'), /not a valid cron expression/);
  const before = getTasks().size;
  const s = new CronSchedule('* * * * *');
  t.equal(getTasks().size, before + 1);
  s.dispose();
  t.equal(getTasks().size, before);
});
