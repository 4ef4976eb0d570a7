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
const byId = (records: JobRecord[]) => new Map(records.map((r) => [r.jobId, r]));

t.test('sbatch: version and --parsable', async (t) => {
  const version = parseVersion(recorded('sbatch-version.txt', v));
  t.match(version, { major: 24, minor: 11 });
  t.equal(versionSupport(version).level, 'tested');
  t.match(parseSbatchParsable(recorded('sbatch-parsable-array.txt', v)), { jobId: /^\d+$/, cluster: null });
});

t.test("the agent's own squeue call", async (t) => {
  const r = byId(parseSqueueText(recorded('squeue-agent.txt', v)));
  t.match(r.get('102'), { state: 'FAILED', exitCode: 3, exitSignal: 0, stateDetail: 'NonZeroExitCode' });
  t.match(r.get('105'), { state: 'CANCELLED', exitCode: 0, exitSignal: 15 }, 'code:signal exit codes');
  t.match(r.get('108_0'), {
    jobIdRaw: '111',
    state: 'RUNNING',
    comment: 'emb-agent:intent=7',
    stdoutPath: '/tmp/emb-fx/logs/fx-throttled_108_0.out',
    stderrPath: '/tmp/emb-fx/logs/fx-throttled_108_0.err',
  });
  t.match(r.get('99'), {
    stdoutPath: '/tmp/emb-fx/fx-timeout-99.out',
    stderrPath: '/tmp/emb-fx/fx-timeout-99.out',
    timeLimitMinutes: 1,
  });
  t.match(r.get('109_0'), { stdoutPath: '/tmp/emb-fx/slurm-109_0.out' }, 'the default pattern, expanded');
  t.same(
    [...r.values()].filter((x) => x.arrayJobId === '108' && x.pendingRemainder).map((x) => x.arrayTaskId),
    [2, 3, 4, 5, 6, 7, 8, 9],
    'the throttled remainder is one line, expanded',
  );
  t.match(r.get('108_5'), { arrayThrottle: 2, stdoutPath: '/tmp/emb-fx/logs/fx-throttled_108_5.out' });
  t.match(r.get('109_2'), { pendingRemainder: true, stdoutPath: '/tmp/emb-fx/slurm-109_2.out' });
});

t.test("the agent's own sacct call", async (t) => {
  const r = byId(parseSacctText(recorded('sacct-agent.txt', v)));
  t.match(r.get('108_0'), { jobIdRaw: '111', state: 'RUNNING', timeLimitMinutes: 5760 });
  t.same(
    [...r.values()].filter((x) => x.pendingRemainder).map((x) => x.arrayTaskId),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
});

t.test('sacct lagging behind a throttled start: the remainder still lists running tasks', async (t) => {
  // Seen on 24.11 for 2-4 s after the first tasks started: "108_[0-9%2]" with Partition_Limit.
  const records = parseSacctText(recorded('sacct-array-throttled-running-pending.txt', v), '|');
  const r = byId(records);
  t.equal(records.filter((x) => x.jobId === '108_0').length, 1, 'one record per task');
  t.match(r.get('108_0'), { state: 'RUNNING', jobIdRaw: '111', pendingRemainder: false });
  t.match(r.get('108_1'), { state: 'RUNNING', pendingRemainder: false });
  t.match(r.get('108_7'), { state: 'PENDING', pendingRemainder: true, timeLimitMinutes: null });
});

t.test('end states and exit codes as sacct reports them', async (t) => {
  const one = (name: string) => parseSacctText(recorded(name, v), '|')[0];
  t.match(one('sacct-failed.txt'), { state: 'FAILED', exitCode: 3 });
  t.match(one('sacct-timeout.txt'), { state: 'TIMEOUT' });
  t.match(one('sacct-cancelled.txt'), { state: 'CANCELLED', stateDetail: 'by 0' });
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
