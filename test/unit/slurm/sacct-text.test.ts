import t from 'tap';
import { isSchedulerError } from '../../../agent/slurm/errors.js';
import { parseSacctText, sacctTextArgs } from '../../../agent/slurm/sacct-text.js';
import type { JobRecord } from '../../../agent/slurm/types.js';
import { hand, local, recorded } from '../../helpers/slurm-fixtures.js';

const T0 = 1795000000;
const byId = (records: JobRecord[]) => new Map(records.map((r) => [r.jobId, r]));

t.test('the argv: one call, allocations only, our delimiter, SubmitLine last', async (t) => {
  t.same(sacctTextArgs({ jobIds: ['12', '13_4'] }), [
    '--parsable2',
    '--noheader',
    '-X',
    '--delimiter=\x1f',
    '--format=JobID,JobIDRaw,JobName,State,ExitCode,Submit,Start,End,ElapsedRaw,TimelimitRaw,WorkDir,Comment,NodeList,SubmitLine',
    '-j',
    '12,13_4',
  ]);
  const since = sacctTextArgs({ since: T0, user: 'alice' });
  t.same(since.slice(-2), ['--user=alice', `--starttime=${formatLocal(T0)}`]);
  t.notOk(sacctTextArgs({ since: T0, user: null }).some((a) => a.startsWith('--user')));
});

function formatLocal(s: number): string {
  const d = new Date(s * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

t.test('every end state, remainders expanded, a requeued job once', async (t) => {
  const records = parseSacctText(hand('sacct-unitsep-states.txt'));
  const r = byId(records);
  t.same(r.get('1234_0'), {
    jobId: '1234_0',
    arrayJobId: '1234',
    arrayTaskId: 0,
    jobIdRaw: '1235',
    pendingRemainder: false,
    name: 'build_shards',
    state: 'COMPLETED',
    stateDetail: null,
    exitCode: 0,
    exitSignal: 0,
    submitTime: T0,
    startTime: T0 + 10,
    endTime: T0 + 3610,
    elapsedSeconds: 3600,
    timeLimitMinutes: 1440,
    workDir: '/cluster/work/users/alice/emb',
    submitLine: 'sbatch --array=0-15%4 --comment=emb:intent=1 build_shards.sbatch',
    comment: 'emb:intent=1',
    stdoutPath: null,
    stderrPath: null,
    arrayThrottle: 4,
    node: 'c1-1',
  });
  t.match(r.get('1234_1'), { state: 'FAILED', exitCode: 1, exitSignal: 0 });
  t.match(r.get('1234_2'), { state: 'TIMEOUT', exitCode: 0, elapsedSeconds: 86460 });
  t.match(r.get('1234_3'), { state: 'CANCELLED', stateDetail: 'by 5001' });
  t.match(r.get('1234_4'), { state: 'OUT_OF_MEMORY', exitCode: 0, exitSignal: 125 });
  t.match(r.get('1234_5'), { state: 'NODE_FAIL' });
  t.match(r.get('1234_6'), { state: 'RUNNING', endTime: null });
  t.match(r.get('1234_7'), { state: 'PREEMPTED', jobIdRaw: '1234', pendingRemainder: false });

  const pending = records.filter((x) => x.arrayJobId === '1234' && x.pendingRemainder);
  t.same(
    pending.map((x) => x.jobId),
    ['1234_8', '1234_9', '1234_10', '1234_11', '1234_12', '1234_13', '1234_14', '1234_15'],
  );
  t.match(pending[0], {
    state: 'PENDING',
    node: null,
    jobIdRaw: null,
    arrayTaskId: 8,
    arrayThrottle: 4,
    startTime: null,
  });

  const sparse = records.filter((x) => x.arrayJobId === '2000');
  t.same(
    sparse.map((x) => [x.jobId, x.arrayTaskId, x.pendingRemainder, x.timeLimitMinutes]),
    [
      ['2000_1', 1, true, null],
      ['2000_4', 4, true, null],
      ['2000_7', 7, true, null],
      ['2000_8', 8, true, null],
      ['2000_9', 9, true, null],
    ],
  );
  t.equal(sparse[0]?.comment, null, 'an empty Comment is null');

  const requeued = records.filter((x) => x.jobId === '3000');
  t.equal(requeued.length, 1, 'a job listed twice is kept once');
  t.match(requeued[0], { state: 'RUNNING', submitTime: T0 + 60, arrayTaskId: null, arrayJobId: '3000' });

  t.match(r.get('4000'), {
    comment: 'a|b',
    submitLine: 'sbatch --comment=a|b --wrap=echo one\necho two',
    timeLimitMinutes: null,
  });
  t.match(r.get('5000'), { state: 'CANCELLED', stateDetail: 'by 0', startTime: null, submitLine: null });
  t.equal(r.get('5000')?.node, null, '"None assigned": cancelled before it started');
  t.equal(r.get('3000')?.node, 'c2-[1-4]', 'a node list as Slurm prints it');
  t.equal(r.get('1234_6')?.node, 'c1-7');
});

t.test('the default "|" delimiter: ISO local times, SubmitLine takes the rest', async (t) => {
  const records = parseSacctText(hand('sacct-pipe-iso.txt'), '|');
  t.equal(records.length, 4);
  t.match(records[0], {
    jobId: '6000_0',
    submitTime: local(2026, 11, 28, 12, 0, 0),
    endTime: local(2026, 11, 28, 13, 0, 5),
    submitLine: 'sbatch --array=0-3%2 --wrap=python a.py | tee x.log',
    arrayThrottle: 2,
  });
  t.same(
    records.slice(1).map((x) => x.jobId),
    ['6000_1', '6000_2', '6000_3'],
  );
});

t.test('real 22.05 output of the adapter argv', async (t) => {
  const r = byId(parseSacctText(hand('sacct-recorded-22.05.txt')));
  t.match(r.get('87'), {
    state: 'FAILED',
    exitCode: 3,
    exitSignal: 0,
    submitTime: 1795870823,
    jobIdRaw: '87',
  });
  t.match(r.get('88'), { state: 'CANCELLED', stateDetail: 'by 0', endTime: 1795870827 });
  t.match(r.get('86_0'), { state: 'RUNNING', jobIdRaw: '91', arrayThrottle: 2, endTime: null });
  t.match(r.get('86_9'), { state: 'PENDING', pendingRemainder: true, jobIdRaw: null, arrayThrottle: 2 });
  t.equal([...r.keys()].filter((k) => k.startsWith('86_')).length, 10);
  t.same(
    [...r.keys()].filter((k) => k.startsWith('89_')),
    ['89_1', '89_4', '89_7', '89_8', '89_9'],
  );
  t.match(r.get('86_3')?.submitLine, /--comment=emb:intent=9\|x -o logs/);
});

t.test('recorded 22.05 fixtures (default delimiter, ISO times)', async (t) => {
  // Job ids and times change with every recording (record.sh): compare them with what the file itself says.
  const text = recorded('sacct-completed.txt');
  const [plain, array] = [...text.matchAll(/^(\d+)(?:_0)?\|/gm)].map((m) => m[1]);
  const completed = byId(parseSacctText(text, '|'));
  t.same([...completed.keys()], [plain, `${array}_0`, `${array}_1`, `${array}_2`]);
  t.match(completed.get(`${array}_2`), { jobIdRaw: array, arrayTaskId: 2, state: 'COMPLETED', node: 'vm' });
  // sacct prints local time without a zone; so does an ISO date-time without an offset in JavaScript.
  const submitted = text.split('\n')[0]?.split('|')[5] ?? '';
  t.match(completed.get(plain ?? ''), {
    submitTime: new Date(submitted).getTime() / 1000,
    timeLimitMinutes: 5760,
    node: 'vm',
  });

  t.match(parseSacctText(recorded('sacct-failed.txt'), '|')[0], { state: 'FAILED', exitCode: 3 });
  const timeout = parseSacctText(recorded('sacct-timeout.txt'), '|')[0];
  t.match(timeout, { state: 'TIMEOUT', timeLimitMinutes: 1 });
  // slurmctld checks time limits about every 30 s: a --time=1 job ends 60-100 s after it started.
  t.ok(
    (timeout?.elapsedSeconds ?? 0) >= 60 && (timeout?.elapsedSeconds ?? 0) < 120,
    'TIMEOUT after a minute',
  );
  t.match(parseSacctText(recorded('sacct-cancelled.txt'), '|')[0], {
    state: 'CANCELLED',
    stateDetail: 'by 0',
  });
  t.match(parseSacctText(recorded('sacct-term-trap.txt'), '|')[0], { state: 'COMPLETED', exitCode: 0 });
  const comment = parseSacctText(recorded('sacct-comment.txt'), '|');
  t.equal(comment[0]?.comment, null, 'job_comment is off: no Comment in sacct');
  t.match(comment[0]?.submitLine, /--comment=emb-agent:intent=42/, 'but SubmitLine has the tag');
  const throttled = parseSacctText(recorded('sacct-array-throttled-running-pending.txt'), '|');
  t.equal(throttled.length, 10);
  t.equal(throttled.filter((x) => x.pendingRemainder).length, 8);
  t.ok(throttled.every((x) => x.arrayThrottle === 2));
  t.same(
    throttled.map((x) => x.node),
    ['vm', 'vm', ...Array<null>(8).fill(null)],
    'running tasks on the node, "None assigned" pending',
  );
  t.same(parseSacctText(recorded('sacct-unknown-job.txt'), '|'), []);
});

t.test('garbage is an output error naming the line', async (t) => {
  const good = hand('sacct-recorded-22.05.txt').split('\n')[0] ?? '';
  const cases: Array<[string, RegExp, string?]> = [
    [`this is not sacct\n${good}\n`, /line 1: expected 14 fields, got 1: "this is not sacct"/],
    [`${good}\nonly\x1ftwo\n`, /line 2: expected 14 fields, got 2/],
    [`${good}\nhello|world\n`.replaceAll('\x1f', '|'), /line 2: expected 14 fields, got 2/, '|'],
    [`${good}\nno delimiter here\n`.replaceAll('\x1f', '|'), /line 2: expected 14 fields, got 1/, '|'],
    [good.replace('FAILED', ''), /line 1: field State is empty/],
    [good.replace('3:0', 'three'), /line 1: ExitCode "three"/],
    [good.replace(/^87/, 'job87'), /line 1: JobID "job87" is not a job id/],
    [good.replace('1795870823', 'yesterday'), /line 1: Submit "yesterday" is not a time/],
    [good.replace('5760', '4 days'), /line 1: TimelimitRaw "4 days"/],
  ];
  for (const [text, re, delimiter] of cases) {
    const err = t.throws(() => parseSacctText(text, delimiter));
    t.ok(isSchedulerError(err, 'output'), String(re));
    t.match((err as Error).message, re);
  }
});

t.test('steps are skipped and empty output is no jobs', async (t) => {
  const step = [
    '12.batch',
    '12.batch',
    'batch',
    'COMPLETED',
    '0:0',
    '1',
    '1',
    '2',
    '1',
    '',
    '',
    '',
    'vm',
    '',
  ].join('\x1f');
  t.same(parseSacctText(`${step}\n`), []);
  t.same(parseSacctText(''), []);
  t.same(parseSacctText('\n\n'), []);
});
