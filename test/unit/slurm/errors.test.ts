import t from 'tap';
import { classifyFailure, reasonFromStderr, SchedulerError } from '../../../agent/slurm/errors.js';
import { isAgentError } from '../../../agent/errors.js';
import { recorded } from '../../helpers/slurm-fixtures.js';

const facts = (command: string, stderr: string, exitCode: number | null = 1) => ({
  command,
  stderr,
  exitCode,
  timedOut: false,
  signal: null,
  errno: null,
});

t.test('transient: the controller or database is busy, restarting or slow', async (t) => {
  const texts = [
    'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation',
    'squeue: error: slurm_receive_msg: Socket timed out on send/recv operation\nslurm_load_jobs error: Socket timed out on send/recv operation',
    'sbatch: error: Slurm temporarily unable to accept job, sleeping and retrying',
    'sbatch: error: Batch job submission failed: Slurm temporarily unable to accept job',
    'sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)',
    'squeue: error: Unable to contact slurm controller (connect failure)',
    'sacct: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:127.0.0.1:6819: Connection refused',
    'sacct: error: Problem talking to the database: Connection refused',
    'scancel: error: Kill job error on job id 12: Resource temporarily unavailable',
    'sbatch: error: Batch job submission failed: Zero Bytes were transmitted or received',
    "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)",
  ];
  for (const s of texts)
    t.equal(classifyFailure(facts(s.startsWith('sbatch') ? 'sbatch' : 'squeue', s)), 'transient', s);
  t.equal(
    classifyFailure({ ...facts('sacct', ''), timedOut: true, exitCode: null }),
    'transient',
    'our time-out',
  );
  t.equal(
    classifyFailure({ ...facts('squeue', ''), signal: 'SIGKILL', exitCode: null }),
    'transient',
    'killed',
  );
  t.equal(classifyFailure(facts('squeue', 'something odd', 75)), 'transient', 'EX_TEMPFAIL');
  t.equal(
    classifyFailure(facts('sacct', 'sacct: error: something we never saw')),
    'transient',
    'unknown query failure',
  );
});

t.test('permanent: sbatch refused the request', async (t) => {
  const texts = [
    'sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified',
    'sbatch: error: invalid partition specified: nosuchpartition\nsbatch: error: Batch job submission failed: Invalid partition name specified',
    'sbatch: error: Batch job submission failed: Requested node configuration is not available',
    'sbatch: error: Batch job submission failed: Invalid qos specification',
    'sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)',
    'sbatch: unrecognized option \'--no-such-option\'\nTry "sbatch --help" for more information',
    'sbatch: error: Unable to open file build_shards.sbatch',
    'sbatch: error: Invalid --array specification',
    'sbatch: error: You must specify an account (--account)',
    'sbatch: error: our site plugin said no',
  ];
  for (const s of texts) t.equal(classifyFailure(facts('sbatch', s)), 'permanent', s);
  t.equal(classifyFailure(facts('sbatch', recorded('sbatch-error-bad-partition.stderr'), 1)), 'permanent');
  t.equal(classifyFailure(facts('sbatch', recorded('sbatch-error-bad-option.stderr'), 255)), 'permanent');
});

t.test('unavailable: no Slurm here', async (t) => {
  t.equal(classifyFailure({ ...facts('sbatch', ''), errno: 'ENOENT', exitCode: null }), 'unavailable');
  t.equal(classifyFailure({ ...facts('sbatch', ''), errno: 'EACCES', exitCode: null }), 'unavailable');
  t.equal(classifyFailure(facts('sbatch', '', 127)), 'unavailable');
  const noConf = [
    'sbatch: error: resolve_ctls_from_dns_srv: res_nsearch error: Unknown host',
    'sbatch: error: fetch_config: DNS SRV lookup failed',
    'sbatch: fatal: Could not establish a configuration source',
  ].join('\n');
  t.equal(classifyFailure(facts('sbatch', noConf)), 'unavailable');
});

t.test('the reason shown to users is the telling stderr line', async (t) => {
  t.equal(
    reasonFromStderr(recorded('sbatch-error-bad-partition.stderr'), 'x'),
    'Batch job submission failed: Invalid partition name specified',
  );
  t.equal(
    reasonFromStderr('sbatch: unrecognized option \'--x\'\nTry "sbatch --help" for more information\n', 'x'),
    'Try "sbatch --help" for more information',
  );
  t.equal(
    reasonFromStderr('sbatch: fatal: Could not establish a configuration source\n', 'x'),
    'Could not establish a configuration source',
  );
  t.equal(reasonFromStderr('', 'exited with status 1'), 'exited with status 1');
});

t.test('SchedulerError is an AgentError with a code per kind, keeping stderr', async (t) => {
  const e = new SchedulerError('permanent', {
    command: 'sbatch',
    reason: 'Invalid account',
    stderr: 'sbatch: error: Invalid account',
    exitCode: 1,
  });
  t.ok(isAgentError(e, 'AGENT_ERR_SCHEDULER_REJECTED'));
  t.equal(e.status, 422);
  t.equal(e.kind, 'permanent');
  t.equal(e.stderr, 'sbatch: error: Invalid account');
  t.equal(e.message, 'sbatch: Invalid account');
  t.equal(
    new SchedulerError('transient', { command: 'sacct', reason: 'x' }).code,
    'AGENT_ERR_SCHEDULER_TRANSIENT',
  );
  t.equal(
    new SchedulerError('unavailable', { command: 'sacct', reason: 'x' }).code,
    'AGENT_ERR_SCHEDULER_UNAVAILABLE',
  );
  t.equal(new SchedulerError('output', { command: 'sacct', reason: 'x' }).code, 'AGENT_ERR_SCHEDULER_OUTPUT');
  t.equal(
    new SchedulerError('output', { command: 'sacct', reason: 'x', stderr: 'y'.repeat(10000) }).stderr.length,
    4000,
  );
});
