import t from 'tap';
import { fitTime, type FitInput } from '../../../agent/preflight/fit-time.js';

const settings = { marginPercent: 25, overheadMinutes: 10, minMinutes: 10 };
const base: FitInput = {
  target: 20,
  // 6 shards per hour: 2 in a 20-minute attempt.
  tasks: [
    {
      index: 0,
      done: 8,
      runs: [
        { runSeconds: 1200, units: 2 },
        { runSeconds: 3600, units: 6 },
      ],
    },
  ],
  originalMinutes: 24 * 60,
  partitionMaxMinutes: 4 * 1440,
  settings,
};

t.test('the time the work left needs at the measured rate, plus the margin', async (t) => {
  const r = fitTime(base);
  t.equal(r.tasks[0]?.ratePerHour, 6);
  t.equal(r.tasks[0]?.left, 12);
  t.equal(r.tasks[0]?.needMinutes, 120);
  t.equal(r.minutes, 160, '120 min + 25% + 10 min');
  t.equal(r.ceilingMinutes, 1440);
});

t.test('the slowest task of an array sets the time', async (t) => {
  const r = fitTime({
    ...base,
    tasks: [...base.tasks, { index: 1, done: 16, runs: [{ runSeconds: 3600, units: 2 }] }],
  });
  t.equal(r.tasks[1]?.needMinutes, 120);
  t.equal(r.minutes, 160);
  const slow = fitTime({
    ...base,
    tasks: [...base.tasks, { index: 1, done: 0, runs: [{ runSeconds: 3600, units: 1 }] }],
  });
  t.equal(slow.minutes, null, 'needs more than the original --time: the original is kept');
  t.equal(slow.tasks[1]?.needMinutes, 1200);
});

t.test('never above the original nor the partition, never below the minimum', async (t) => {
  t.equal(fitTime({ ...base, originalMinutes: 100 }).minutes, null, 'needs all of the original: kept');
  t.match(fitTime({ ...base, originalMinutes: 100 }).reason, /not less than the original 100 min/);
  t.equal(fitTime({ ...base, originalMinutes: null, partitionMaxMinutes: 150 }).minutes, 150);
  t.equal(
    fitTime({ ...base, tasks: [{ index: 0, done: 20, runs: [{ runSeconds: 60, units: 1 }] }] }).minutes,
    10,
  );
});

t.test('what cannot be fitted keeps the recipe time, and says why', async (t) => {
  t.match(fitTime({ ...base, target: null }), { minutes: null, reason: /no --target/ });
  t.match(fitTime({ ...base, originalMinutes: null, partitionMaxMinutes: null }), {
    minutes: null,
    reason: /no.*limit|neither/,
  });
  t.match(fitTime({ ...base, tasks: [{ index: 3, done: 0, runs: [{ runSeconds: 600, units: 0 }] }] }), {
    minutes: null,
    reason: /no progress rate.*3/,
  });
  t.match(fitTime({ ...base, tasks: [{ index: 3, done: 0, runs: [] }] }), { minutes: null });
});
