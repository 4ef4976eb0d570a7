import t from 'tap';
import { decodeWaitStatus, parseExitText } from '../../../agent/slurm/exit-code.js';
import { isSchedulerError } from '../../../agent/slurm/errors.js';
import { parseSbatchParsable } from '../../../agent/slurm/sbatch.js';
import { parseStateText } from '../../../agent/slurm/state.js';
import { parseCount, parseDuration, parseLimitMinutes, parseSlurmTime } from '../../../agent/slurm/time.js';
import { atLeast, parseVersion, versionSupport } from '../../../agent/slurm/version.js';

t.test('state text: the base state and what follows it', async (t) => {
  t.same(parseStateText('CANCELLED by 0'), { state: 'CANCELLED', detail: 'by 0' });
  t.same(parseStateText('CANCELLED by 2101477'), { state: 'CANCELLED', detail: 'by 2101477' });
  t.same(parseStateText('CANCELLED+'), { state: 'CANCELLED', detail: null }, 'a truncated column');
  t.same(parseStateText('OUT_OF_MEMORY'), { state: 'OUT_OF_MEMORY', detail: null });
  t.same(parseStateText('COMPLETING'), { state: 'COMPLETING', detail: null });
  t.same(parseStateText('REQUEUE_HOLD'), { state: 'REQUEUED', detail: 'REQUEUE_HOLD' });
  t.same(parseStateText('RUNING'), { state: 'UNKNOWN', detail: 'RUNING' }, 'a typo is not guessed');
});

t.test('times: epoch seconds, local ISO, and the words for "none"', async (t) => {
  t.equal(parseSlurmTime('1795870257'), 1795870257);
  t.equal(
    parseSlurmTime('2026-11-28T12:54:32'),
    new Date(2026, 10, 28, 12, 54, 32).getTime() / 1000,
    'local time',
  );
  for (const none of ['Unknown', 'None', 'N/A', '', '0']) t.equal(parseSlurmTime(none), null, none);
  t.equal(parseSlurmTime('yesterday'), undefined);
  t.equal(parseLimitMinutes('5760'), 5760);
  t.equal(parseLimitMinutes('UNLIMITED'), null);
  t.equal(parseLimitMinutes('Partition_Limit'), null);
  t.equal(parseLimitMinutes('1-00:00:00'), undefined);
  t.equal(parseDuration('4-00:00:00'), 4 * 86400);
  t.equal(parseDuration('1:02:03'), 3723);
  t.equal(parseDuration('0:04'), 4);
  t.equal(parseDuration('UNLIMITED'), null);
  t.equal(parseDuration('soon'), undefined);
  t.equal(parseCount('83'), 83);
  t.equal(parseCount(''), null);
  t.equal(parseCount('-1'), undefined);
});

t.test('exit codes: "code:signal" text and raw wait statuses', async (t) => {
  t.same(parseExitText('3:0'), { exitCode: 3, exitSignal: 0 });
  t.same(parseExitText('0:15'), { exitCode: 0, exitSignal: 15 });
  t.same(parseExitText(''), { exitCode: null, exitSignal: null });
  t.equal(parseExitText('three'), undefined);
  t.same(decodeWaitStatus(768), { exitCode: 3, exitSignal: 0 });
  t.same(decodeWaitStatus(9), { exitCode: 0, exitSignal: 9 });
  t.same(decodeWaitStatus(0), { exitCode: 0, exitSignal: 0 });
  t.same(decodeWaitStatus(4294967294), { exitCode: null, exitSignal: null }, 'NO_VAL');
});

t.test('sbatch --version', async (t) => {
  t.same(parseVersion('slurm 22.05.8\n'), { text: '22.05.8', major: 22, minor: 5 });
  t.same(parseVersion('slurm-wlm 22.05.8\n'), { text: '22.05.8', major: 22, minor: 5 });
  t.same(parseVersion('slurm 24.11.0-0rc1\n'), { text: '24.11.0-0rc1', major: 24, minor: 11 });
  t.ok(atLeast(parseVersion('slurm 23.02.6'), 23, 2));
  t.notOk(atLeast(parseVersion('slurm 22.05.8'), 23, 2));
  t.ok(atLeast(parseVersion('slurm 24.05.1'), 23, 2));
  const err = t.throws(() => parseVersion('sbatch: command not found\n'));
  t.ok(isSchedulerError(err, 'output'));
  t.match((err as Error).message, /line 1.*sbatch: command not found/);
});

t.test('which releases are supported, tested, newer or too old', async (t) => {
  const level = (text: string) => versionSupport(parseVersion(`slurm ${text}`)).level;
  t.equal(level('22.05.8'), 'tested');
  t.equal(level('24.11.5'), 'tested');
  t.equal(level('23.02.7'), 'supported');
  t.equal(level('21.08.8'), 'supported');
  t.equal(level('25.11.2'), 'supported');
  t.equal(level('26.05.0'), 'newer');
  t.equal(level('25.12.0'), 'newer');
  t.equal(level('20.11.9'), 'unsupported');
  t.match(versionSupport(parseVersion('slurm 20.11.9')).text, /SubmitLine/);
  t.match(
    versionSupport(parseVersion('slurm 24.11.5')).text,
    /^supported \(21\.08 to 25\.11; tested on 22\.05 and 24\.11\)$/,
  );
});

t.test('sbatch --parsable answers', async (t) => {
  t.same(parseSbatchParsable('47\n'), { jobId: '47', cluster: null });
  t.same(parseSbatchParsable('1234;betzy\n'), { jobId: '1234', cluster: 'betzy' });
  t.same(parseSbatchParsable('NOTE: your job uses the preproc QOS\n1234\n'), {
    jobId: '1234',
    cluster: null,
  });
  for (const bad of ['', '\n', 'Submitted batch job 1234\n', 'garbage']) {
    const err = t.throws(() => parseSbatchParsable(bad), JSON.stringify(bad));
    t.ok(isSchedulerError(err, 'output'), JSON.stringify(bad));
  }
});
