import t from 'tap';
import { isSchedulerError } from '../../../agent/slurm/errors.js';
import { parseSacctJson } from '../../../agent/slurm/sacct-json.js';
import type { JobRecord } from '../../../agent/slurm/types.js';
import { hand, recorded } from '../../helpers/slurm-fixtures.js';

const T0 = 1795000000;
const W = '/cluster/work/users/alice/emb';
const byId = (records: JobRecord[]) => new Map(records.map((r) => [r.jobId, r]));

t.test('21.08 (dbv0.0.37): flat exit with a signal, plain numbers, remainder as a range', async (t) => {
  const r = byId(parseSacctJson(hand('sacct-21.08.json')));
  t.match(r.get('5001'), {
    arrayJobId: '5001',
    arrayTaskId: null,
    jobIdRaw: '5001',
    state: 'FAILED',
    exitCode: 0,
    exitSignal: 9,
    timeLimitMinutes: 1440,
    elapsedSeconds: 60,
    stdoutPath: null,
    comment: null,
    submitLine: null,
  });
  t.match(r.get('5010_3'), {
    jobIdRaw: '5011',
    arrayTaskId: 3,
    state: 'COMPLETED',
    exitCode: 0,
    arrayThrottle: 4,
  });
  const rem = [...r.values()].filter((x) => x.pendingRemainder);
  t.same(
    rem.map((x) => x.jobId),
    ['5010_8', '5010_9', '5010_10', '5010_11', '5010_12', '5010_13', '5010_14', '5010_15'],
  );
  t.match(rem[0], { jobIdRaw: null, state: 'PENDING', arrayThrottle: 4, startTime: null, endTime: null });
});

t.test('22.05 (dbv0.0.38): hex bitmap remainder, FAILED misreported as success', async (t) => {
  const records = parseSacctJson(hand('sacct-22.05.json'));
  const r = byId(records);
  t.match(r.get('6000_0'), { jobIdRaw: '6002', state: 'RUNNING', endTime: null, arrayThrottle: 2 });
  t.same(
    records.filter((x) => x.pendingRemainder).map((x) => x.arrayTaskId),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
  t.match(
    r.get('6000_1'),
    { state: 'FAILED', exitCode: null, exitSignal: null },
    'SUCCESS/0 for FAILED is unknown',
  );
  t.match(r.get('6010'), { state: 'TIMEOUT', elapsedSeconds: 86400, timeLimitMinutes: 1440 });
  t.match(r.get('6011'), { state: 'CANCELLED', stateDetail: null });
});

t.test('23.02 (v0.0.39): {set,infinite,number}, state strings', async (t) => {
  const r = byId(parseSacctJson(hand('sacct-23.02.json')));
  t.match(r.get('7000_7'), {
    jobIdRaw: '7001',
    state: 'OUT_OF_MEMORY',
    comment: 'emb:intent=3|a',
    submitLine: 'sbatch --array=0-15%4 --comment=emb:intent=3|a build_shards.sbatch',
    timeLimitMinutes: 1440,
    arrayThrottle: 4,
  });
  t.match(r.get('7000_6'), { state: 'NODE_FAIL', exitCode: 1 });
  t.match(r.get('7000_8'), {
    pendingRemainder: true,
    timeLimitMinutes: null,
    submitTime: T0,
    startTime: null,
  });
  t.equal([...r.values()].filter((x) => x.pendingRemainder).length, 8);
  t.match(r.get('7010'), { arrayTaskId: null, state: 'COMPLETED', elapsedSeconds: 60, submitLine: null });
});

t.test('23.11 (v0.0.40): state flags, verbose exit codes, who cancelled', async (t) => {
  const r = byId(parseSacctJson(hand('sacct-23.11.json')));
  t.match(r.get('8000_0'), { state: 'FAILED', exitCode: 1, exitSignal: 0 });
  t.match(r.get('8000_1'), { state: 'TIMEOUT', exitCode: 0 });
  t.match(r.get('8000_2'), { state: 'CANCELLED', stateDetail: 'by alice', exitCode: 0, exitSignal: 15 });
  t.match(r.get('8000_3'), { state: 'NODE_FAIL' });
  t.match(r.get('8000_4'), { state: 'OUT_OF_MEMORY', exitCode: 0, exitSignal: 9 });
  t.match(r.get('8000_5'), { state: 'RUNNING', endTime: null, elapsedSeconds: 1000 });
  t.same(
    [...r.values()].filter((x) => x.pendingRemainder).map((x) => x.jobId),
    ['8000_7', '8000_8', '8000_9'],
    'indices 1 and 4 of the remainder also have started records, which win',
  );
  t.match(r.get('8100'), { state: 'REQUEUED', stateDetail: 'PENDING', timeLimitMinutes: null });
});

t.test('24.05 (v0.0.41): stdout/stderr patterns and their expansions', async (t) => {
  const r = byId(parseSacctJson(hand('sacct-24.05.json')));
  t.match(r.get('9000_3'), {
    stdoutPath: `${W}/logs/build_shards_9000_3.out`,
    stderrPath: `${W}/logs/build_shards_9000_3.err`,
  });
  // The remainder's expanded path was expanded for NO_VAL; the pattern is expanded per index instead.
  t.match(r.get('9000_4'), {
    pendingRemainder: true,
    stdoutPath: `${W}/logs/build_shards_9000_4.out`,
    stderrPath: `${W}/logs/build_shards_9000_4.err`,
    arrayThrottle: 2,
  });
  t.match(r.get('9000_5'), { stdoutPath: `${W}/logs/build_shards_9000_5.out` });
  t.match(r.get('9010'), {
    stdoutPath: `${W}/slurm-9010.out`,
    stderrPath: `${W}/slurm-9010.out`,
    timeLimitMinutes: 2,
  });
});

t.test('recorded 22.05 sacct --json', async (t) => {
  const completed = byId(parseSacctJson(recorded('sacct-completed.json')));
  t.same([...completed.keys()].sort(), ['47', '48_0', '48_1', '48_2']);
  t.match(completed.get('48_2'), { jobIdRaw: '48', state: 'COMPLETED', timeLimitMinutes: 5760 });
  const throttled = parseSacctJson(recorded('sacct-array-throttled-running-pending.json'));
  t.equal(throttled.length, 10);
  t.same(
    throttled.filter((x) => x.pendingRemainder).map((x) => x.arrayTaskId),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
  t.ok(throttled.every((x) => x.arrayThrottle === 2));
  t.match(parseSacctJson(recorded('sacct-timeout.json'))[0], { state: 'TIMEOUT' });
  t.match(parseSacctJson(recorded('sacct-cancelled.json'))[0], { state: 'CANCELLED' });
  t.match(parseSacctJson(recorded('sacct-failed.json'))[0], { state: 'FAILED', exitCode: null });
});

t.test('errors in the document and garbage', async (t) => {
  const down = t.throws(() => parseSacctJson(hand('sacct-json-error.json')));
  t.ok(isSchedulerError(down, 'transient'), 'slurmdbd unreachable is worth retrying');
  t.match((down as Error).message, /Unable to connect to database/);

  const notJson = t.throws(() => parseSacctJson('sacct: error: something\n'));
  t.ok(isSchedulerError(notJson, 'output'));
  t.match((notJson as Error).message, /not JSON/);

  const noJobs = t.throws(() => parseSacctJson('{"meta":{}}'));
  t.match((noJobs as Error).message, /no "jobs" list/);

  const badJob = t.throws(() =>
    parseSacctJson('{"jobs":[{"job_id":1,"state":{"current":"RUNNING"}},{"job_id":"x"}]}'),
  );
  t.ok(isSchedulerError(badJob, 'output'));
  t.match((badJob as Error).message, /jobs\[1\] is not a job record \(job_id:/);
  t.same(parseSacctJson('{"jobs":[]}'), []);
});
