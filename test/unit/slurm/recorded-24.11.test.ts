// The parsers on real Slurm 24.11.5 output (test/fixtures/slurm/24.11, recorded by record.sh in the chroot
// cluster), beside the 22.05 recordings that sacct-text and squeue-text tests read.
import t from 'tap';
import { isSchedulerError } from '../../../agent/slurm/errors.js';
import { parseSacctText } from '../../../agent/slurm/sacct-text.js';
import { parseSbatchParsable } from '../../../agent/slurm/sbatch.js';
import { parseSqueueText } from '../../../agent/slurm/squeue-text.js';
import type { JobRecord } from '../../../agent/slurm/types.js';
import { parseVersion, versionSupport } from '../../../agent/slurm/version.js';
import { recorded } from '../../helpers/slurm-fixtures.js';

const v = '24.11';

t.test('sbatch: version and --parsable', async (t) => {
  const version = parseVersion(recorded('sbatch-version.txt', v));
  t.match(version, { major: 24, minor: 11 });
  t.equal(versionSupport(version).level, 'tested');
  t.match(parseSbatchParsable(recorded('sbatch-parsable-array.txt', v)), { jobId: /^\d+$/, cluster: null });
});

/**
 * A job of the recording by its name (record.sh's fx-*), and a task by its index: the job ids change with every
 * recording, the names do not.
 */
function job(records: JobRecord[], name: string, index: number | null = null): JobRecord | undefined {
  return records.find((x) => x.name === name && x.arrayTaskId === index);
}

t.test("the agent's own squeue call", async (t) => {
  const records = parseSqueueText(recorded('squeue-agent.txt', v));
  const failed = job(records, 'fx-failed');
  t.match(failed, { state: 'FAILED', exitCode: 3, exitSignal: 0, stateDetail: 'NonZeroExitCode' });
  t.match(
    job(records, 'fx-cancelled'),
    { state: 'CANCELLED', exitCode: 0, exitSignal: 15 },
    'code:signal exit codes',
  );
  const throttled = job(records, 'fx-throttled', 0);
  const id = throttled?.arrayJobId ?? '?';
  t.match(throttled, {
    jobIdRaw: /^\d+$/,
    state: 'RUNNING',
    comment: 'emb-agent:intent=7',
    stdoutPath: `/tmp/emb-fx/logs/fx-throttled_${id}_0.out`,
    stderrPath: `/tmp/emb-fx/logs/fx-throttled_${id}_0.err`,
  });
  const timeout = job(records, 'fx-timeout');
  t.match(timeout, {
    stdoutPath: `/tmp/emb-fx/fx-timeout-${timeout?.jobId ?? '?'}.out`,
    stderrPath: `/tmp/emb-fx/fx-timeout-${timeout?.jobId ?? '?'}.out`,
    timeLimitMinutes: 1,
  });
  const dflt = job(records, 'fx-default-log', 0);
  const did = dflt?.arrayJobId ?? '?';
  t.match(dflt, { stdoutPath: `/tmp/emb-fx/slurm-${did}_0.out` }, 'the default pattern, expanded');
  t.same(
    records.filter((x) => x.arrayJobId === id && x.pendingRemainder).map((x) => x.arrayTaskId),
    [2, 3, 4, 5, 6, 7, 8, 9],
    'the throttled remainder is one line, expanded',
  );
  t.match(job(records, 'fx-throttled', 5), {
    arrayThrottle: 2,
    stdoutPath: `/tmp/emb-fx/logs/fx-throttled_${id}_5.out`,
  });
  t.match(job(records, 'fx-default-log', 2), {
    pendingRemainder: true,
    stdoutPath: `/tmp/emb-fx/slurm-${did}_2.out`,
  });
  // NodeList: the test node's name (the namespace's host name) once started, also after the end; none pending.
  t.equal(throttled?.node, 'emb-trixie');
  t.equal(failed?.node, 'emb-trixie', 'an ended job still in memory keeps its node');
  t.equal(job(records, 'fx-throttled', 5)?.node, null, 'pending: empty NodeList');
});

t.test("the agent's own sacct call", async (t) => {
  const records = parseSacctText(recorded('sacct-agent.txt', v));
  t.match(job(records, 'fx-throttled', 0), {
    jobIdRaw: /^\d+$/,
    state: 'RUNNING',
    timeLimitMinutes: 5760,
    node: 'emb-trixie',
  });
  t.same(
    records.filter((x) => x.pendingRemainder).map((x) => x.arrayTaskId),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
  t.equal(job(records, 'fx-throttled', 2)?.node, null, '"None assigned" while pending');
});

t.test('sacct lagging behind a throttled start: the remainder still lists running tasks', async (t) => {
  // Seen on 24.11 for 2-4 s after the first tasks started: "26_[0-9%2]" with Partition_Limit.
  const records = parseSacctText(recorded('sacct-array-throttled-running-pending.txt', v), '|');
  t.equal(
    records.filter((x) => x.name === 'fx-throttled' && x.arrayTaskId === 0).length,
    1,
    'one record per task',
  );
  t.match(job(records, 'fx-throttled', 0), {
    state: 'RUNNING',
    jobIdRaw: /^\d+$/,
    pendingRemainder: false,
    node: 'emb-trixie',
  });
  t.match(job(records, 'fx-throttled', 1), { state: 'RUNNING', pendingRemainder: false });
  t.match(job(records, 'fx-throttled', 7), {
    state: 'PENDING',
    pendingRemainder: true,
    timeLimitMinutes: null,
    node: null,
  });
});

t.test('end states and exit codes as sacct reports them', async (t) => {
  const one = (name: string) => parseSacctText(recorded(name, v), '|')[0];
  t.match(one('sacct-failed.txt'), { state: 'FAILED', exitCode: 3 });
  t.match(one('sacct-timeout.txt'), { state: 'TIMEOUT' });
  t.match(one('sacct-cancelled.txt'), { state: 'CANCELLED', stateDetail: 'by 0', node: 'emb-trixie' });
  t.match(one('sacct-term-trap.txt'), { state: 'COMPLETED', exitCode: 0 });
  t.same(parseSacctText(recorded('sacct-unknown-job.txt', v), '|'), []);
});

t.test('refusals carry their reasons', async (t) => {
  t.match(recorded('squeue-error-array-unique.stderr', v), /unrecognized option '--array-unique'/);
  t.equal(recorded('squeue-error-array-unique.stderr.rc', v).trim(), '1');
  t.equal(recorded('scancel-error-finished-job.stderr.rc', v).trim(), '0', 'scancel of an ended job: exit 0');
  const err = t.throws(() => parseSbatchParsable(recorded('sbatch-error-bad-partition.stderr', v)));
  t.ok(isSchedulerError(err, 'output'));
});
