// Tables fit the terminal: the widest free-text column is cut, ids never are; no width means no limit.
import t from 'tap';
import { renderList } from '../../../client/format/submissions.js';
import { columns } from '../../../client/format/text.js';
import { renderTokens } from '../../../client/commands/status-lists.js';

const table = [
  ['1000_10', 'failed', 'disk-quota: write under /cluster/work/users/me, not $HOME, which is small'],
  ['1000_11', 'running', 'short'],
];

t.test('the free column is cut to the width, ids stay whole', async (t) => {
  const whole = columns(table);
  t.same(columns(table, '', '  ', { width: undefined, free: { 2: 'end' } }), whole, 'no terminal: no limit');
  const fit = columns(table, '', '  ', { width: 40, free: { 2: 'end' } });
  for (const line of fit) t.ok(line.length <= 40, line);
  t.match(fit[0], /^1000_10 {2}failed {3}disk-quota: wr.*…$/);
  t.equal(fit[1], '1000_11  running  short');
  const paths = columns([['/a/very/long/folder/that/names/shards-2025', '12']], '', '  ', {
    width: 30,
    free: { 0: 'start' },
  });
  t.match(paths[0], /^….*shards-2025 {2}12$/, 'a path keeps its end');
  t.ok((paths[0] as string).length <= 30);
});

t.test('too narrow to fit: free columns stop at a readable width, ids are never cut', async (t) => {
  const fit = columns(table, '', '  ', { width: 10, free: { 2: 'end' } });
  t.match(fit[0], /^1000_10 {2}failed {3}.{11}…$/);
});

t.test('a column dropped as empty does not shift which column is free', async (t) => {
  const rows = [
    ['a', '', 'x'.repeat(50)],
    ['b', '', 'y'],
  ];
  const fit = columns(rows, '', '  ', { width: 20, free: { 2: 'end' } });
  t.equal((fit[0] as string).length, 20);
  t.equal(fit[1], 'b  y');
});

t.test('ls and tokens cut their text to the width', async (t) => {
  const sub = {
    id: 1,
    name: 'build',
    jobId: '1000',
    origin: 'submit',
    createdAt: '2025-03-01T10:00:00Z',
    held: false,
    counts: { failed: 1 },
    tasks: [
      {
        index: 0,
        state: 'failed',
        attempts: 1,
        jobId: '1000_0',
        held: false,
        diagnosis: {
          cause: 'disk-quota',
          hint: 'write under /cluster/work/users/me, not $HOME, which is small',
        },
      },
    ],
  };
  const text = renderList([sub] as unknown as Parameters<typeof renderList>[0], 60);
  const row = text.split('\n').find((l) => l.includes('job 1000_0')) as string;
  t.ok(row.length <= 60, row);
  t.match(row, /job 1000_0 {2}disk-quota: .*…$/);
  const tokens = renderTokens(
    [
      {
        collection: 'sentinel-2-l2a',
        state: 'failing',
        inFlight: false,
        expiry: null,
        secondsLeft: null,
        lastRefreshAt: null,
        nextRefreshAt: null,
        tokenFile: '/cluster/home/me/.local/state/emb-agent/tokens/sentinel-2-l2a.token',
        lastError: 'HTTP 503 from the Planetary Computer token endpoint after three attempts',
      },
    ] as unknown as Parameters<typeof renderTokens>[0],
    100,
  );
  for (const line of tokens.trimEnd().split('\n')) t.ok(line.length <= 100, line);
  t.match(tokens, /sentinel-2-l2a {2}failing/);
});
