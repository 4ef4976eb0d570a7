import t from 'tap';
import { isSchedulerError } from '../../../agent/slurm/errors.js';
import { parseSqueueJson } from '../../../agent/slurm/squeue-json.js';
import type { JobRecord } from '../../../agent/slurm/types.js';
import { hand, recorded } from '../../helpers/slurm-fixtures.js';

const T0 = 1795000000;
const W = '/cluster/work/users/alice/emb';
const byId = (records: JobRecord[]) => new Map(records.map((r) => [r.jobId, r]));

t.test('21.08 (v0.0.37): plain numbers, null task id, wait status, raw patterns', async (t) => {
  const records = parseSqueueJson(hand('squeue-21.08.json'), { user: 'alice' });
  const r = byId(records);
  t.notOk(r.has('5300'), "another user's job is dropped");
  t.match(r.get('5100_0'), {
    jobIdRaw: '5101',
    state: 'RUNNING',
    startTime: T0 + 5,
    endTime: null,
    comment: 'emb:intent=5',
    stdoutPath: `${W}/logs/build_shards_5100_0.out`,
    stderrPath: `${W}/logs/build_shards_5100_0.out`,
    arrayThrottle: 2,
  });
  t.same(
    records.filter((x) => x.pendingRemainder).map((x) => [x.jobId, x.stdoutPath]),
    [1, 2, 3].map((i) => [`5100_${i}`, `${W}/logs/build_shards_5100_${i}.out`]),
  );
  t.match(r.get('5200'), {
    state: 'FAILED',
    stateDetail: 'NonZeroExitCode',
    exitCode: 3,
    exitSignal: 0,
    elapsedSeconds: 4,
    stdoutPath: `${W}/slurm-5200.out`,
  });
  t.equal(parseSqueueJson(hand('squeue-21.08.json')).length, 6, 'without a user nothing is dropped');
});

t.test('23.02 (v0.0.39): {set,infinite,number}, exit code as {set,number}', async (t) => {
  const records = parseSqueueJson(hand('squeue-23.02.json'));
  const r = byId(records);
  t.match(r.get('7100_4'), {
    jobIdRaw: '7101',
    state: 'TIMEOUT',
    stateDetail: 'TimeLimit',
    exitCode: 0,
    exitSignal: 15,
    endTime: T0 + 86401,
    stdoutPath: `${W}/logs/train_7100_4.out`,
  });
  const rem = records.filter((x) => x.pendingRemainder);
  t.same(
    rem.map((x) => x.arrayTaskId),
    [5, 6, 7, 8, 9],
  );
  t.match(
    rem[0],
    { startTime: null, endTime: null, arrayThrottle: 3, stdoutPath: null },
    'an expanded path of another index is not used',
  );
  t.match(r.get('7200'), { arrayTaskId: null, timeLimitMinutes: null, stdoutPath: `${W}/slurm-7200.out` });
});

t.test('23.11 (v0.0.40): state arrays, verbose exit codes, times as objects', async (t) => {
  const records = parseSqueueJson(hand('squeue-23.11.json'));
  const r = byId(records);
  t.match(r.get('8200_0'), { state: 'RUNNING', startTime: T0 + 2, endTime: null, comment: 'emb:intent=11' });
  t.match(r.get('8200_1'), { state: 'TIMEOUT', exitCode: 0, exitSignal: 15, endTime: T0 + 86462 });
  t.match(r.get('8200_2'), { state: 'COMPLETING', stateDetail: 'CANCELLED', endTime: null });
  const rem = records.filter((x) => x.pendingRemainder);
  t.equal(rem.length, 9997, '3-9999');
  t.match(rem[0], { jobId: '8200_3', arrayThrottle: 50, stdoutPath: null });
});

t.test('25.11 (v0.0.44): raw pattern plus stdout_expanded, submit_line', async (t) => {
  const records = parseSqueueJson(hand('squeue-25.11.json'));
  const r = byId(records);
  t.match(r.get('9300_0'), {
    state: 'FAILED',
    exitCode: 1,
    stdoutPath: `${W}/logs/build_shards_9300_0.out`,
    stderrPath: `${W}/logs/build_shards_9300_0.out`,
    submitLine: 'sbatch --array=0-3%2 --comment=emb:intent=12 build_shards.sbatch',
  });
  t.match(
    r.get('9300_2'),
    { pendingRemainder: true, stdoutPath: `${W}/logs/build_shards_9300_2.out` },
    'relative pattern',
  );
  t.match(r.get('9300_3'), { pendingRemainder: true, arrayThrottle: 2 });
  t.match(r.get('9310'), { state: 'PENDING', startTime: null, stdoutPath: `${W}/slurm-9310.out` });
});

t.test('recorded 22.05 squeue --json (every job on the cluster, filters ignored)', async (t) => {
  const records = parseSqueueJson(recorded('squeue.json'));
  const r = byId(records);
  t.match(r.get('55_0'), {
    jobIdRaw: '58',
    comment: 'emb-agent:intent=7',
    stdoutPath: '/tmp/emb-fx/logs/fx-throttled_55_0.out',
    stderrPath: '/tmp/emb-fx/logs/fx-throttled_55_0.err',
    arrayThrottle: 2,
  });
  t.same(
    records.filter((x) => x.arrayJobId === '55' && x.pendingRemainder).map((x) => x.arrayTaskId),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
  t.match(
    r.get('56_0'),
    { jobIdRaw: '60', stdoutPath: '/tmp/emb-fx/slurm-56_0.out' },
    'the default log name',
  );
  t.match(r.get('56_2'), { pendingRemainder: true, stdoutPath: '/tmp/emb-fx/slurm-56_2.out' });
});

t.test('errors in the document and garbage', async (t) => {
  const err = t.throws(() =>
    parseSqueueJson('{"errors":[{"description":"Socket timed out on send/recv operation"}],"jobs":[]}'),
  );
  t.ok(isSchedulerError(err, 'transient'));
  const garbage = t.throws(() => parseSqueueJson('<html>'));
  t.ok(isSchedulerError(garbage, 'output'));
  const bad = t.throws(() => parseSqueueJson('{"jobs":[{"job_id":1}]}'));
  t.match((bad as Error).message, /jobs\[0\] is not a job record \(job_state:/);
});
