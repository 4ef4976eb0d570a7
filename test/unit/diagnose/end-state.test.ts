import t from 'tap';
import { Diagnoser } from '../../../agent/diagnose/diagnose.js';
import { diagnoseEnd } from '../../../agent/diagnose/end-state.js';
import { withConfiguredPaths } from '../../../agent/diagnose/hint-paths.js';
import { BUILTIN_RULES } from '../../../agent/diagnose/rules.js';
import { diagnoseSubmit, memOnNormal } from '../../../agent/diagnose/submit.js';

const d = new Diagnoser();

t.test('the sacct state diagnoses when the log said nothing', async (t) => {
  t.equal(diagnoseEnd({ state: 'TIMEOUT' }, null, d)?.cause, 'time-limit');
  t.equal(diagnoseEnd({ state: 'OUT_OF_MEMORY', exitCode: 0, exitSignal: 125 }, null, d)?.cause, 'oom-kill');
  t.equal(diagnoseEnd({ state: 'NODE_FAIL' }, null, d)?.cause, 'node-fail');
  t.equal(diagnoseEnd({ state: 'PREEMPTED' }, null, d)?.cause, 'preempted');
  t.equal(diagnoseEnd({ state: 'DEADLINE' }, null, d)?.cause, 'deadline');
  const c = diagnoseEnd({ state: 'CANCELLED', stateDetail: 'by 1234' }, null, d);
  t.equal(c?.cause, 'cancelled');
  t.equal(c?.line, 'sacct: State=CANCELLED by 1234');
  t.equal(
    diagnoseEnd({ state: 'FAILED', exitCode: 1, exitSignal: 0 }, null, d)?.line,
    'sacct: State=FAILED ExitCode=1:0',
  );
  t.equal(diagnoseEnd({ state: 'COMPLETED' }, null, d), null);
});

t.test('the more severe of log and state wins', async (t) => {
  const http = d.diagnoseLine('ERROR 1: HTTP response code: 502');
  const cuda = d.diagnoseLine('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB');
  const banner = d.diagnoseLine('slurmstepd: error: *** JOB 9 ON n1 CANCELLED AT 2026-11-28T12:00:00 ***');
  t.equal(
    diagnoseEnd({ state: 'TIMEOUT' }, http, d)?.cause,
    'time-limit',
    'a transient 502 does not explain a time-out',
  );
  t.equal(diagnoseEnd({ state: 'FAILED' }, cuda, d)?.cause, 'cuda-oom');
  t.equal(
    diagnoseEnd({ state: 'TIMEOUT' }, banner, d)?.cause,
    'time-limit',
    'a bare banner plus TIMEOUT is the time limit',
  );
  t.equal(diagnoseEnd({ state: 'COMPLETED' }, http, d)?.cause, 'http-502');
});

t.test('a refused sbatch with --mem on normal gets the partition hint', async (t) => {
  t.ok(memOnNormal(['--partition=normal', '--mem=8G', 'job.sbatch']));
  t.ok(memOnNormal(['-p', 'normal', '--mem-per-cpu=2G', 'job.sbatch']));
  t.notOk(memOnNormal(['-p', 'preproc', '--mem=8G', 'job.sbatch']));
  t.notOk(memOnNormal(['--partition=normal', 'job.sbatch']));
  const stderr =
    'sbatch: error: Batch job submission failed: Requested node configuration is not available\n';
  t.match(
    diagnoseSubmit(stderr, ['-p', 'normal', '--mem=8G', 'x.sbatch'], d)?.hint,
    /normal partition refuses --mem/,
  );
  t.notMatch(diagnoseSubmit(stderr, ['-p', 'accel', 'x.sbatch'], d)?.hint, /normal partition/);
  t.equal(
    diagnoseSubmit(
      'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation',
      [],
      d,
    ),
    null,
  );
});

t.test('a banner that sacct contradicts is no diagnosis', async (t) => {
  const banner = d.diagnoseLine('slurmstepd: error: *** JOB 9 ON n1 CANCELLED AT 2026-11-28T12:00:00 ***');
  t.equal(banner?.cause, 'cancelled');
  t.equal(
    diagnoseEnd({ state: 'COMPLETED' }, banner, d),
    null,
    'the pre-wall-time signal delivered, checkpointed, COMPLETED: no "cancelled"',
  );
  t.equal(diagnoseEnd({ state: 'FAILED', exitCode: 1 }, banner, d)?.cause, 'job-failed');
  t.equal(diagnoseEnd({ state: 'CANCELLED' }, banner, d)?.cause, 'cancelled');
  const limit = d.diagnoseLine('*** JOB 9 ON n1 CANCELLED AT 2026-11-28T12:00:00 DUE TO TIME LIMIT ***');
  t.equal(diagnoseEnd({ state: 'COMPLETED' }, limit, d), null);
  t.equal(
    diagnoseEnd({ state: 'CANCELLED' }, limit, d)?.cause,
    'time-limit',
    'old versions: CANCELLED at the limit',
  );
});

t.test('a cancellation names who did it', async (t) => {
  const c = diagnoseEnd({ state: 'CANCELLED', stateDetail: 'by alice (uid 1001)' }, null, d);
  t.match(c?.hint, /^Cancelled by alice \(uid 1001\) with scancel/);
  t.equal(c?.line, 'sacct: State=CANCELLED by alice (uid 1001)');
});

t.test('hints name the configured work root, never a project folder', async (t) => {
  const rules = withConfiguredPaths(BUILTIN_RULES, { workRoot: '/scratch/bob/run' });
  const dd = new Diagnoser([], rules);
  const quota = dd.diagnoseLine("OSError: [Errno 122] Disk quota exceeded: '/cluster/projects/x/y.tar'");
  t.match(quota?.hint, /under \/scratch\/bob\/run instead/);
  t.match(
    dd.diagnoseLine('OSError: [Errno 28] No space left on device')?.hint,
    /TMPDIR=\/scratch\/bob\/run\/tmp/,
  );
  for (const r of rules) {
    t.notMatch(r.hint, /nn12037k|\/cluster\/work|\{workRoot\}/, `${r.cause}: ${r.hint}`);
  }
});
