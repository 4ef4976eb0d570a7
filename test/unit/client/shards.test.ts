// emb-client shards --watch fits the terminal like the plain table: the table's folder column and each
// trend line are cut (a folder keeps its end), and without a terminal nothing is cut.
import t from 'tap';
import type { ShardStatus } from '../../../agent/api/shards.js';
import { renderWatch, sparkline, trendLine } from '../../../client/commands/shards.js';

const DIR = '/cluster/work/users/someone/outputs/shards/a-rather-long-region-name-2025';
const COUNTS = Array.from({ length: 40 }, (_, i) => i * 3);

function shard(dir: string): ShardStatus {
  return {
    dir,
    group: null,
    missing: false,
    error: null,
    count: 120,
    bytes: 5 * 1024 ** 3,
    bytesPending: 0,
    target: 400,
    ratePerHour: 12.5,
    etaSeconds: 80_000,
    perTask: [],
    oldestAgeDays: null,
    purge: null,
    lastScanAt: null,
    lastChangeAt: '2025-03-01T10:00:00Z',
  } as ShardStatus;
}

t.test('a trend line is whole without a width, and fits one', async (t) => {
  const spark = sparkline(COUNTS);
  t.equal(trendLine(DIR, COUNTS), `${DIR}: ${spark} (last 6 h)`, 'no terminal: no limit');
  const fit = trendLine(DIR, COUNTS, 80);
  t.equal(fit.length, 80);
  t.match(
    fit,
    /^….*region-name-2025: [▁-█]{40} \(last 6 h\)$/,
    'the folder keeps its end, the trend stays whole',
  );
  const narrow = trendLine(DIR, COUNTS, 40);
  t.ok(narrow.length <= 40, narrow);
  t.ok(narrow.endsWith(spark.slice(-26)), 'narrower: the newest points, scaled as in the whole line');
  t.equal(trendLine('/w/s', COUNTS, 200), `/w/s: ${spark} (last 6 h)`, 'a line that fits is left alone');
});

t.test('a --watch round fits the width: the table and the trends', async (t) => {
  const list = [shard(DIR), shard('/w/short')];
  const counts = new Map([
    [DIR, COUNTS],
    ['/w/short', [1]], // one point: no trend
  ]);
  const whole = renderWatch(list, counts, undefined);
  t.ok(whole.includes(DIR), 'no terminal: the folder whole');
  t.ok(whole.split('\n').some((l) => l.length > 80));
  const fit = renderWatch(list, counts, 80);
  for (const line of fit.split('\n')) t.ok(line.length <= 80, line);
  t.match(fit, /^FOLDER +SHARDS/);
  t.equal(fit.match(/\(last 6 h\)/g)?.length, 1, 'one trend: /w/short has a single point');
});
