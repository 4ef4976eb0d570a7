import t from 'tap';
import { isSchedulerError } from '../../../agent/slurm/errors.js';
import {
  parseSqueueText,
  SQUEUE_DELIMITER,
  SQUEUE_FIELDS,
  squeueTextArgs,
} from '../../../agent/slurm/squeue-text.js';
import type { JobRecord } from '../../../agent/slurm/types.js';
import { hand } from '../../helpers/slurm-fixtures.js';

const T0 = 1795000000;
const W = '/cluster/work/users/alice/emb';
const byId = (records: JobRecord[]) => new Map(records.map((r) => [r.jobId, r]));

t.test(
  'the argv: by user, every state, no --array-unique (gone since 23.02), -O with our delimiter',
  async (t) => {
    const args = squeueTextArgs({ user: 'alice' });
    t.same(args.slice(0, 3), ['--noheader', '--states=all', '--user=alice']);
    t.notOk(args.includes('--array-unique'));
    t.equal(
      args[3],
      '--Format=' +
        [
          'JobArrayID',
          'JobID',
          'ArrayJobID',
          'ArrayTaskID',
          'UserName',
          'Name',
          'State',
          'Reason',
          'exit_code',
          'SubmitTime',
          'StartTime',
          'EndTime',
          'TimeLimit',
          'TimeUsed',
          'WorkDir',
          'StdOut',
          'StdErr',
          'Comment',
          'NodeList',
        ]
          .map((f) => `${f}:\x1f`)
          .join(','),
    );
    t.equal(squeueTextArgs({ me: true })[2], '--me');
  },
);

t.test('every state, wait statuses, remainders, expanded log paths', async (t) => {
  const records = parseSqueueText(hand('squeue-O-states.txt'));
  const r = byId(records);
  t.same(r.get('7000_0'), {
    jobId: '7000_0',
    arrayJobId: '7000',
    arrayTaskId: 0,
    jobIdRaw: '7001',
    pendingRemainder: false,
    name: 'build_shards',
    state: 'RUNNING',
    stateDetail: null,
    exitCode: 0,
    exitSignal: 0,
    submitTime: T0,
    startTime: T0 + 5,
    endTime: T0 + 86405,
    elapsedSeconds: 2 * 3600 + 3 * 60 + 4,
    timeLimitMinutes: 1440,
    workDir: W,
    submitLine: null,
    comment: 'emb:intent=4',
    stdoutPath: `${W}/logs/build_shards_7000_0.out`,
    stderrPath: `${W}/logs/build_shards_7000_0.err`,
    arrayThrottle: 2,
    node: 'c3-0',
  });
  t.match(r.get('7000_1'), { state: 'TIMEOUT', stateDetail: 'TimeLimit', exitCode: 0, exitSignal: 15 });
  t.match(r.get('7000_2'), { state: 'FAILED', stateDetail: 'NonZeroExitCode', exitCode: 1, exitSignal: 0 });
  t.match(r.get('7000_3'), { state: 'CANCELLED', exitSignal: 9 });
  t.match(r.get('7000_4'), { state: 'COMPLETING', jobIdRaw: '7000', pendingRemainder: false });
  const rem = records.filter((x) => x.arrayJobId === '7000' && x.pendingRemainder);
  t.same(
    rem.map((x) => [x.jobId, x.stdoutPath]),
    [5, 6, 7, 8, 9].map((i) => [`7000_${i}`, `${W}/logs/build_shards_7000_${i}.out`]),
  );
  t.match(rem[0], {
    state: 'PENDING',
    stateDetail: 'JobArrayTaskLimit',
    jobIdRaw: null,
    startTime: null,
    arrayThrottle: 2,
    node: null,
  });

  const stepped = records.filter((x) => x.arrayJobId === '7100');
  t.equal(stepped.length, 100, '1-199:2');
  t.match(stepped[1], {
    jobId: '7100_3',
    comment: null,
    timeLimitMinutes: null,
    // squeue prints slurm-<raw id>.out for "no --output"; Slurm writes slurm-%A_%a.out for arrays.
    stdoutPath: `${W}/slurm-7100_3.out`,
  });
  t.match(r.get('7200'), {
    arrayTaskId: null,
    elapsedSeconds: 3 * 86400 + 3723,
    timeLimitMinutes: 7 * 1440,
    stdoutPath: `${W}/slurm-7200.out`,
  });
  t.match(r.get('7300_3'), { jobIdRaw: '7301', stdoutPath: `${W}/slurm-7300_3.out`, timeLimitMinutes: 1 });
});

t.test('real 22.05 output of the adapter argv', async (t) => {
  const records = parseSqueueText(hand('squeue-O-recorded-22.05.txt'));
  const r = byId(records);
  t.match(r.get('87'), { state: 'FAILED', exitCode: 3, stateDetail: 'NonZeroExitCode', endTime: 1795870823 });
  t.match(r.get('88'), { state: 'CANCELLED', exitSignal: 15, stdoutPath: '/tmp/emb-hand/slurm-88.out' });
  t.match(r.get('86_0'), {
    jobIdRaw: '91',
    comment: 'emb:intent=9|x',
    stdoutPath: '/tmp/emb-hand/logs/hand-thr_86_0.out',
    stderrPath: '/tmp/emb-hand/logs/hand-thr_86_0.err',
    arrayThrottle: 2,
  });
  t.same(
    records.filter((x) => x.arrayJobId === '86' && x.pendingRemainder).map((x) => x.arrayTaskId),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
  t.same(
    records.filter((x) => x.arrayJobId === '89').map((x) => [x.jobId, x.pendingRemainder, x.stdoutPath]),
    [
      ['89_4', true, '/tmp/emb-hand/slurm-89_4.out'],
      ['89_7', true, '/tmp/emb-hand/slurm-89_7.out'],
      ['89_8', true, '/tmp/emb-hand/slurm-89_8.out'],
      ['89_9', true, '/tmp/emb-hand/slurm-89_9.out'],
      ['89_1', false, '/tmp/emb-hand/slurm-89_1.out'],
    ],
  );
  t.match(r.get('77_2'), { jobIdRaw: '77', stdoutPath: '/tmp/emb-try/77_2.out' });
});

t.test('garbage is an output error naming the line', async (t) => {
  const good = hand('squeue-O-recorded-22.05.txt').split('\n')[0] ?? '';
  const cases: Array<[string, RegExp]> = [
    [
      `${good}\nslurm_load_jobs error: Socket timed out\n`,
      /line 2: expected 19 fields: "slurm_load_jobs error/,
    ],
    [`JOBID PARTITION NAME\n${good}\n`, /line 1: expected 19 fields/],
    [good.replace(/^88/, 'x88'), /line 1: JobArrayID "x88" is not a job id/],
    [good.replace('\x1f88\x1f', '\x1fabc\x1f'), /line 1: JobID "abc" is not a number/],
    [good.replace('1795870823', 'someday'), /line 1: SubmitTime "someday" is not a time/],
    [good.replace('4-00:00:00', 'forever'), /line 1: TimeLimit "forever"/],
  ];
  for (const [text, re] of cases) {
    const err = t.throws(() => parseSqueueText(text));
    t.ok(isSchedulerError(err, 'output'), String(re));
    t.match((err as Error).message, re);
  }
  t.same(parseSqueueText(''), []);
});

/** One -O line with the adapter's fields; `over` replaces fields by name. */
function row(over: Partial<Record<(typeof SQUEUE_FIELDS)[number], string>>): string {
  const base: Record<(typeof SQUEUE_FIELDS)[number], string> = {
    JobArrayID: '7000_3',
    JobID: '7004',
    ArrayJobID: '7000',
    ArrayTaskID: '3',
    UserName: 'alice',
    Name: 'build',
    State: 'FAILED',
    Reason: 'NonZeroExitCode',
    exit_code: '0',
    SubmitTime: '1795000000',
    StartTime: '1795000005',
    EndTime: '1795000065',
    TimeLimit: '1-00:00:00',
    TimeUsed: '1:00',
    WorkDir: '/w',
    StdOut: '/w/logs/%x_%A_%a.out',
    StdErr: '/w/logs/%x_%A_%a.err',
    Comment: '(null)',
    NodeList: 'c1-7',
  };
  return SQUEUE_FIELDS.map((f) => `${over[f] ?? base[f]}${SQUEUE_DELIMITER}`).join('') + '\n';
}

t.test('exit_code: a wait status up to 22.05, "code:signal" from 23.02, empty when unset', async (t) => {
  const exit = (text: string) => {
    const [r] = parseSqueueText(row({ exit_code: text }));
    return [r?.exitCode, r?.exitSignal];
  };
  t.same(exit('768'), [3, 0], '22.05: wait status of exit 3');
  t.same(exit('15'), [0, 15], '22.05: wait status of signal 15');
  t.same(exit('3:0'), [3, 0], '23.02+: exit 3');
  t.same(exit('0:15'), [0, 15], '23.02+: signal 15');
  t.same(exit(''), [null, null], '24.11: unset');
  t.same(exit('n/a'), [null, null], 'anything else: no exit code, not an error');
});

t.test(
  'log paths as 24.05+ print them: the default pattern raw, "(null)" for a StdErr not set',
  async (t) => {
    const [task] = parseSqueueText(row({ StdOut: '/w/slurm-%A_%a.out', StdErr: '(null)' }));
    t.match(task, { stdoutPath: '/w/slurm-7000_3.out', stderrPath: '/w/slurm-7000_3.out' });
    const [plain] = parseSqueueText(
      row({
        JobArrayID: '7100',
        JobID: '7100',
        ArrayJobID: '7100',
        ArrayTaskID: 'N/A',
        StdOut: '/w/slurm-%j.out',
        StdErr: '(null)',
      }),
    );
    t.match(plain, { stdoutPath: '/w/slurm-7100.out', stderrPath: '/w/slurm-7100.out' });
    const pending = parseSqueueText(
      row({ JobArrayID: '7000_[4-5]', JobID: '7000', State: 'PENDING', StdOut: '/w/slurm-%A_%a.out' }),
    );
    t.same(
      pending.map((r) => r.stdoutPath),
      ['/w/slurm-7000_4.out', '/w/slurm-7000_5.out'],
    );
    const [interactive] = parseSqueueText(row({ StdOut: '(null)', StdErr: '(null)' }));
    t.equal(interactive?.stdoutPath, null, 'no batch script: no log');
  },
);

t.test(
  'a requeued pending task merged into the remainder line (23.02+ without --array-unique)',
  async (t) => {
    // squeue folds a split-off pending task (its own raw id) back into the array's line; the throttle
    // text is then lost, the index is listed with the rest.
    const records = parseSqueueText(
      row({ JobArrayID: '7000_[1,4-5]', JobID: '7000', State: 'PENDING', Reason: 'BeginTime' }),
    );
    t.same(
      records.map((r) => [r.jobId, r.jobIdRaw, r.state, r.pendingRemainder]),
      [
        ['7000_1', null, 'PENDING', true],
        ['7000_4', null, 'PENDING', true],
        ['7000_5', null, 'PENDING', true],
      ],
    );
  },
);

t.test('NodeList: the node a started job runs or ran on, null while pending', async (t) => {
  t.equal(parseSqueueText(row({ State: 'RUNNING' }))[0]?.node, 'c1-7');
  t.equal(parseSqueueText(row({ NodeList: 'c1-[1-4]' }))[0]?.node, 'c1-[1-4]', 'a list as Slurm prints it');
  const pending = parseSqueueText(
    row({ JobArrayID: '7000_[4-5]', JobID: '7000', State: 'PENDING', NodeList: '' }),
  );
  t.same(
    pending.map((r) => r.node),
    [null, null],
    'empty while pending',
  );
  const planned = parseSqueueText(row({ JobArrayID: '7000_4', State: 'PENDING', NodeList: 'c1-9' }));
  t.equal(planned[0]?.node, null, 'a pending job has not run anywhere, whatever squeue prints');
});
