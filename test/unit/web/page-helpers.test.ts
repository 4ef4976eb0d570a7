// The page's DOM-free helpers, run under Node: sizes, durations, state order, and where chart points fall.
import t from 'tap';
import { rate, scale } from '../../../web/src/chart-math.js';
import { bytes, duration, orderedCounts } from '../../../web/src/format.js';

t.test('format', async (t) => {
  t.equal(bytes(512), '512 B');
  t.equal(bytes(1536), '1.5 KiB');
  t.equal(bytes(3 * 1024 ** 3), '3.0 GiB');
  t.equal(duration(null), '-');
  t.equal(duration(90), '90 s');
  t.equal(duration(600), '10 min');
  t.equal(duration(3 * 86_400), '3.0 d');
  t.same(
    orderedCounts({ done: 5, failed: 1, queued: 0, running: 2 }),
    [
      ['failed', 1],
      ['running', 2],
      ['done', 5],
    ],
    'what needs a person first, empty states left out',
  );
});

t.test('chart points', async (t) => {
  const box = { width: 600, height: 160, left: 40, right: 60, top: 10, bottom: 20 };
  const pts = [
    { t: 0, v: 0 },
    { t: 50, v: 5 },
    { t: 100, v: 10 },
  ];
  const s = scale(pts, 0, 100, box);
  t.same(s.xy, [
    [40, 140],
    [290, 75],
    [540, 10],
  ]);
  t.equal(s.line, '40,140 290,75 540,10');
  t.equal(scale(pts, 0, 100, box, 20).max, 20, 'a target above the data raises the top');
  t.equal(scale([], 0, 100, box).line, '');
  t.equal(
    rate([
      { t: 0, v: 0 },
      { t: 3_600_000, v: 12 },
    ]),
    12,
    'shards per hour',
  );
  t.equal(rate([{ t: 0, v: 0 }]), null);
});
