import t from 'tap';
import type { Submission, SubmissionDetail, Task } from '../../../agent/api/schemas.js';
import { renderDetail, renderList } from '../../../client/format/submissions.js';
import { groupTasks, jobIdsText, taskRows } from '../../../client/format/tasks.js';
import { columns, countsLine, ranges } from '../../../client/format/text.js';
import { renderShards, renderTokens } from '../../../client/commands/status-lists.js';

function task(index: number, over: Partial<Task> = {}): Task {
  return {
    index,
    state: 'done',
    attempts: 1,
    jobId: `1000_${index}`,
    diagnosis: null,
    reason: null,
    held: false,
    updatedAt: '2025-03-01T10:00:00.000Z',
    ...over,
  };
}

const quota = { cause: 'disk-quota', hint: 'write under /cluster/work' };

t.test('ranges and columns', async (t) => {
  t.equal(ranges([0, 1, 2, 3, 7, 9, 10]), '0-3,7,9-10');
  t.equal(ranges([5]), '5');
  t.equal(ranges([]), '');
  t.same(
    columns(
      [
        ['a', 'bbb', 'c'],
        ['dddd', '', 'e'],
      ],
      '  ',
    ),
    ['  a     bbb  c', '  dddd       e'],
  );
  t.same(
    columns([
      ['a', '', 'c'],
      ['b', '', 'd'],
    ]),
    ['a  c', 'b  d'],
    'a column empty everywhere is dropped',
  );
  t.same(columns([['x', 'y', '']]), ['x  y'], 'no trailing spaces');
  t.equal(countsLine({ done: 99, failed: 1, queued: 0, running: 2 }), '2 running, 99 done, 1 failed');
  t.equal(countsLine({}), 'no tasks');
});

t.test('groupTasks: consecutive indices with the same state and diagnosis form one range', async (t) => {
  const tasks = [
    ...Array.from({ length: 100 }, (_, i) => task(i)),
    task(100, { state: 'failed', diagnosis: quota }),
    task(101, { state: 'failed', diagnosis: quota }),
    task(102, { state: 'failed', diagnosis: { cause: 'oom-kill', hint: 'ask for more memory' } }),
    task(103, { state: 'running', attempts: 2, jobId: '1500_103' }),
    task(104, { state: 'running', attempts: 3, jobId: '1500_104' }),
    task(106, { state: 'running', attempts: 1, jobId: '1500_106' }),
    task(107, { state: 'running', held: true, jobId: '1500_107' }),
  ];
  const groups = groupTasks(tasks);
  t.same(
    groups.map((g) => [g.first, g.last, g.state]),
    [
      [0, 99, 'done'],
      [100, 101, 'failed'],
      [102, 102, 'failed'],
      [103, 104, 'running'],
      [106, 106, 'running'],
      [107, 107, 'running'],
    ],
    'a gap in indices, a different diagnosis or a hold splits a range',
  );
  t.same(taskRows(tasks), [
    ['0-99', 'done', '', '', ''],
    ['100-101', 'failed', 'attempts 1', 'job 1000_[100-101]', 'disk-quota: write under /cluster/work'],
    ['102', 'failed', 'attempts 1', 'job 1000_102', 'oom-kill: ask for more memory'],
    ['103-104', 'running', 'attempts 2-3', 'job 1500_[103-104]', ''],
    ['106', 'running', 'attempts 1', 'job 1500_106', ''],
    ['107', 'running (held)', 'attempts 1', 'job 1500_107', ''],
  ]);
});

t.test('jobIdsText and the attempts of a group', async (t) => {
  t.equal(jobIdsText([{ jobId: '1500_8' }, { jobId: '1500_9' }, { jobId: '1600_10' }]), '1500_[8-9],1600_10');
  t.equal(jobIdsText([{ jobId: '777' }]), '777', 'a plain job');
  t.equal(jobIdsText([{ jobId: null }]), '-');
  t.equal(jobIdsText([{ jobId: '1_1' }, { jobId: null }]), '1_1 (+1 not submitted)');
  t.equal(
    jobIdsText([{ jobId: '1_1' }, { jobId: '2_2' }, { jobId: '3_3' }, { jobId: '4_4' }]),
    '1_1,2_2,… (+2 more jobs)',
  );
  const spread = [2, 5, 3].map((attempts, i) => task(i, { state: 'running', attempts }));
  t.equal(taskRows(spread)[0]?.[2], 'attempts 2-5');
});

t.test('renderList: a header per submission, counts, then ranges', async (t) => {
  const tasks = [...Array.from({ length: 10_000 }, (_, i) => task(i))];
  tasks[5000] = task(5000, { state: 'failed', diagnosis: quota, attempts: 3, jobId: '2000_5000' });
  const sub: Submission = {
    id: 12,
    name: 'build_shards',
    origin: 'submit',
    jobId: '1000',
    cwd: '/w',
    args: ['x.sbatch'],
    arraySpec: '0-9999',
    throttle: null,
    markers: {
      doneMarker: null,
      progress: null,
      checkpointRegex: null,
      maxAttempts: null,
      resume: true,
      resolved: { doneMarker: null, progress: null },
    },
    held: false,
    recipeNotes: [],
    createdAt: '2025-03-01T10:00:00.000Z',
    counts: { done: 9999, failed: 1 },
    tasks,
  };
  const text = renderList([sub]);
  t.equal(
    text,
    [
      '#12  build_shards  job 1000  10000 tasks  since 2025-03-01 10:00:00',
      '    9999 done, 1 failed',
      '    0-4999     done',
      '    5000       failed  attempts 3  job 2000_5000  disk-quota: write under /cluster/work',
      '    5001-9999  done',
      '',
    ].join('\n'),
  );
  t.match(renderList([]), /no submissions yet/);
});

t.test('shard and token tables', async (t) => {
  const shard = {
    dir: '/w/outputs/shards/aef',
    group: null,
    missing: false,
    error: null,
    count: 12,
    bytes: 12 * 2 ** 30,
    bytesPending: 3,
    target: 100,
    ratePerHour: 4,
    etaSeconds: 79_200,
    perTask: [],
    oldestAgeDays: 19,
    purge: { purgeDays: 21, warnAfterDays: 18, count: 2, oldestAgeDays: 19.2 },
    lastScanAt: null,
    lastChangeAt: '2025-03-01T09:58:00.000Z',
  };
  const shards = renderShards([
    shard,
    {
      ...shard,
      dir: '/w/outputs/shards/tessera',
      missing: true,
      purge: null,
      target: null,
      etaSeconds: null,
      ratePerHour: null,
      bytes: 0,
      bytesPending: 0,
    },
  ]);
  t.match(shards, /^FOLDER\s+SHARDS\s+TARGET\s+RATE\s+ETA\s+SIZE\s+LAST CHANGE\n/);
  t.match(shards, /\/w\/outputs\/shards\/aef +12 +100 +4\.0\/h +22\.0 h +12\.0 GiB\+ +2025-03-01 09:58:00/);
  t.match(shards, /\/w\/outputs\/shards\/tessera +missing +- +- +- +0 B/);
  t.match(shards, /2 file\(s\) older than 18 days \(oldest 19 d\); the work area purges after 21 days/);
  t.match(renderShards([]), /no shard folders watched/);
  const text = renderTokens([
    {
      collection: 'usda-cdl',
      account: null,
      container: null,
      expiry: '2025-03-01T11:00:00.000Z',
      secondsLeft: 1800,
      lastRefreshAt: '2025-03-01T10:00:00.000Z',
      lastError: null,
      lastErrorAt: null,
      nextRefreshAt: '2025-03-01T10:45:00.000Z',
      inFlight: false,
      state: 'fresh',
      jsonFile: '/w/tmp/sas/usda-cdl.json',
      tokenFile: '/w/tmp/sas/usda-cdl.token',
    },
  ]);
  t.match(text, /^COLLECTION\s+STATE\s+EXPIRES/);
  t.match(text, /usda-cdl\s+fresh\s+2025-03-01 11:00:00\s+30 min/);
});

t.test('show: an attempt that has not started or ended shows no such time', async (t) => {
  const attempt = (jobId: string, slurmState: string, startedAt: string | null, endedAt: string | null) => ({
    jobId,
    slurmState,
    stateDetail: null,
    exitCode: null,
    exitSignal: null,
    submittedAt: '2025-03-01T10:00:00.000Z',
    startedAt,
    endedAt,
    stdoutPath: null,
    checkpointSeen: false,
    decision: null,
  });
  const d = {
    id: 1,
    name: 'build',
    origin: 'submit',
    jobId: '1000',
    cwd: '/w',
    args: ['b.sbatch'],
    arraySpec: '0-1',
    throttle: null,
    markers: {
      doneMarker: null,
      progress: null,
      checkpointRegex: null,
      maxAttempts: null,
      resume: true,
      resolved: { doneMarker: null, progress: null },
    },
    held: false,
    recipeNotes: [],
    createdAt: '2025-03-01T10:00:00.000Z',
    counts: {},
    events: [],
    tasks: [
      {
        ...task(0, { state: 'running' }),
        history: [attempt('1000_0', 'RUNNING', '2025-03-01T10:00:05.000Z', null)],
      },
      { ...task(1, { state: 'queued' }), history: [attempt('1000_1', 'PENDING', null, null)] },
    ],
  } as unknown as SubmissionDetail;
  const running = renderDetail(d, 0);
  t.match(running, /started 2025-03-01 10:00:05/);
  t.notMatch(running, /ended/, 'a running attempt has no end');
  t.match(renderDetail(d, 1), /not started/);

  // #15.5: Slurm's words, as squeue and sacct users read them.
  const now = Date.parse('2025-03-01T10:30:05.000Z');
  const first = d.tasks[0]!.history[0]!;
  Object.assign(first, { timeLimitMinutes: 60, node: 'c1-7' });
  t.match(renderDetail(d, 0, undefined, now), /elapsed 30:00 of 1:00:00, left 30:00 on c1-7/);
  Object.assign(d.tasks[1]!.history[0]!, { stateDetail: 'Resources' });
  t.match(renderDetail(d, 1, undefined, now), /PENDING +submitted .*\(Resources\)/, 'the pending reason');
  Object.assign(first, {
    slurmState: 'FAILED',
    endedAt: '2025-03-02T11:00:06.000Z',
    exitCode: 3,
    exitSignal: 0,
  });
  t.match(
    renderDetail(d, 0, undefined, now),
    /elapsed 1-01:00:01 of 1:00:00 on c1-7 +exit 3:0/,
    'ended: no time left',
  );
});

t.test('ls: a queued task shows why Slurm keeps it pending, as squeue does', async (t) => {
  const rows = taskRows([
    task(0, { state: 'queued', pending: 'Resources' }),
    task(1, { state: 'queued', pending: 'Resources' }),
    task(2, { state: 'queued', pending: 'JobArrayTaskLimit' }),
    task(3, { state: 'running', pending: 'ignored' }),
  ]);
  t.same(
    rows.map((r) => [r[0], r[1], r[4]]),
    [
      ['0-1', 'queued', '(Resources)'],
      ['2', 'queued', '(JobArrayTaskLimit)'],
      ['3', 'running', ''],
    ],
  );
});
