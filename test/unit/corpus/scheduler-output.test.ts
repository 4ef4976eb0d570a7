// A corpus of bad scheduler output: every parser either parses an input into well-formed records or throws
// a SchedulerError of kind 'output' that names the command and what is wrong. Never a TypeError, a
// RangeError, a stack overflow or an unbounded message.
import t, { type Test } from 'tap';
import { SchedulerError } from '../../../agent/slurm/errors.js';
import { parseSacctText, SACCT_DELIMITER } from '../../../agent/slurm/sacct-text.js';
import { parseSbatchParsable } from '../../../agent/slurm/sbatch.js';
import { parseSqueueText, SQUEUE_DELIMITER } from '../../../agent/slurm/squeue-text.js';
import { SLURM_STATES, type JobRecord } from '../../../agent/slurm/types.js';
import { parseVersion } from '../../../agent/slurm/version.js';
import { hand, recorded } from '../../helpers/slurm-fixtures.js';
import { damage, junk, prng, show, type Rand } from '../../helpers/corpus-mutate.js';

const STATES = new Set<string>(SLURM_STATES);

/** What a record must look like whatever the input: the rest of the agent relies on these types. */
function recordProblem(r: JobRecord): string | null {
  if (typeof r.jobId !== 'string' || r.jobId === '') return 'jobId';
  if (typeof r.arrayJobId !== 'string' || !/^\d+$/.test(r.arrayJobId)) return 'arrayJobId';
  if (!STATES.has(r.state)) return `state ${String(r.state)}`;
  const nums = [
    'arrayTaskId',
    'exitCode',
    'exitSignal',
    'submitTime',
    'startTime',
    'endTime',
    'elapsedSeconds',
    'timeLimitMinutes',
    'arrayThrottle',
  ] as const;
  for (const k of nums) if (r[k] !== null && !Number.isFinite(r[k])) return k;
  const texts = [
    'jobIdRaw',
    'name',
    'stateDetail',
    'workDir',
    'submitLine',
    'comment',
    'stdoutPath',
    'stderrPath',
  ] as const;
  for (const k of texts) if (r[k] !== null && typeof r[k] !== 'string') return k;
  return null;
}

type Parser = (input: string) => unknown;

/** Parses or refuses properly; returns 'ok' or 'refused', and fails the test on anything else. */
function check(t: Test, command: string, parse: Parser, input: string): 'ok' | 'refused' {
  let out: unknown;
  try {
    out = parse(input);
  } catch (err) {
    if (!(err instanceof SchedulerError) || err.kind !== 'output') {
      t.fail(`${command} threw ${(err as Error).name}: ${(err as Error).message} for ${show(input)}`);
      return 'refused';
    }
    // The message names the command and stays readable however large the input was.
    if (!err.message.startsWith(`${command}: unexpected ${command} output`) || err.message.length > 1000) {
      t.fail(`unclear ${command} error "${err.message.slice(0, 300)}" for ${show(input)}`);
    }
    return 'refused';
  }
  if (Array.isArray(out)) {
    for (const r of out as JobRecord[]) {
      const problem = recordProblem(r);
      if (problem !== null) t.fail(`${command} gave a bad record (${problem}) for ${show(input)}`);
    }
  }
  return 'ok';
}

/** Runs a corpus and asserts, once, that nothing escaped; counts show the corpus really hit both sides. */
function runCorpus(
  t: Test,
  command: string,
  parse: Parser,
  inputs: string[],
  want: { refused: number },
): void {
  const tally = { ok: 0, refused: 0 };
  for (const input of inputs) tally[check(t, command, parse, input)]++;
  t.ok(tally.refused >= want.refused, `${command}: ${tally.refused} refused, ${tally.ok} parsed`);
}

/** The same input damaged n ways, reproducibly. */
function damaged(rand: Rand, inputs: string[], n: number): string[] {
  return Array.from({ length: n }, (_, i) => damage(rand, inputs[i % inputs.length] as string));
}

const HUGE = 'x'.repeat(20 * 1024 * 1024);
const BINARY = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');

function generic(rand: Rand): string[] {
  return ['', '\n', '\n\n\n', '   \t ', '\r\n', '\u0000', BINARY, HUGE, `${HUGE}\n${HUGE}`, junk(rand, 2000)];
}

const SA = SACCT_DELIMITER;
const sacctRow = (fields: Partial<Record<number, string>>) =>
  [
    '1234_0',
    '1235',
    'build',
    'COMPLETED',
    '0:0',
    '1795000000',
    '1795000010',
    '1795003610',
    '3600',
    '1440',
    '/w',
    'c',
    'vm',
    'sbatch x',
  ]
    .map((v, i) => fields[i] ?? v)
    .join(SA);

t.test('sacct --parsable2 text', async (t) => {
  const rand = prng(1);
  const good = [
    hand('sacct-unitsep-states.txt'),
    hand('sacct-pipe-iso.txt'),
    recorded('sacct-completed.txt'),
  ];
  const sacct: Parser = (s) => parseSacctText(s);
  const sacctPipe: Parser = (s) => parseSacctText(s, '|');
  const line = sacctRow({});
  const corpus = [
    ...generic(rand),
    line.slice(0, line.length / 2),
    line.split(SA).slice(0, 5).join(SA),
    `${line}${SA}${SA}${SA}extra`,
    sacctRow({ 0: 'abc' }),
    sacctRow({ 0: '1234_' }),
    sacctRow({ 0: '1234_[' }),
    sacctRow({ 0: '1234_[5-2]' }),
    sacctRow({ 0: '1234_[0-9999999]' }),
    sacctRow({ 0: '-1' }),
    sacctRow({ 0: '1e5' }),
    sacctRow({ 0: '' }),
    sacctRow({ 3: '' }),
    sacctRow({ 3: '\u0000' }),
    sacctRow({ 4: 'a:b' }),
    sacctRow({ 4: '1:2:3' }),
    sacctRow({ 5: 'yesterday' }),
    sacctRow({ 5: '2026-13-45T99:99:99' }),
    sacctRow({ 6: '-5' }),
    sacctRow({ 8: '1.5' }),
    sacctRow({ 8: '99999999999999999999999' }),
    sacctRow({ 9: 'forever' }),
    sacctRow({ 12: HUGE }),
    sacctRow({ 13: HUGE }),
    `${line}\r\n${line}\r\n`,
    `${line}\n\u0000\u0000\n`,
  ];
  runCorpus(t, 'sacct', sacct, corpus, { refused: 20 });
  runCorpus(
    t,
    'sacct',
    sacctPipe,
    corpus.map((s) => s.replaceAll(SA, '|')),
    { refused: 20 },
  );
  runCorpus(t, 'sacct', sacct, damaged(rand, good, 600), { refused: 100 });
  runCorpus(t, 'sacct', sacctPipe, damaged(rand, [hand('sacct-pipe-iso.txt')], 300), { refused: 50 });
});

t.test('a pending remainder as large as Slurm allows parses without blowing the stack', async (t) => {
  const records = parseSacctText(sacctRow({ 0: '1234_[0-199999%8]', 3: 'PENDING', 6: '', 7: '' }));
  t.equal(records.length, 200_000);
  t.equal(records.at(-1)?.jobId, '1234_199999');
  const q = parseSqueueText(squeueRow({ 0: '7000_[0-199999%8]', 1: '7000', 3: '0-199999%8' }));
  t.equal(q.length, 200_000);
});

const SQ = SQUEUE_DELIMITER;
const squeueRow = (fields: Partial<Record<number, string>>) =>
  [
    '7000_0',
    '7001',
    '7000',
    '0',
    'alice',
    'build',
    'RUNNING',
    'None',
    '0',
    '1795000000',
    '1795000005',
    '1795086405',
    '1-00:00:00',
    '2:03:04',
    '/w',
    '/w/logs/%x_%A_%a.out',
    '/w/logs/%x_%A_%a.err',
    'c',
    'vm',
  ]
    .map((v, i) => `${fields[i] ?? v}${SQ}`)
    .join('');

t.test('squeue -O text', async (t) => {
  const rand = prng(2);
  const good = [hand('squeue-O-states.txt'), hand('squeue-O-recorded-22.05.txt')];
  const squeue: Parser = (s) => parseSqueueText(s);
  const line = squeueRow({});
  const corpus = [
    ...generic(rand),
    line.slice(0, line.length - 3),
    line.split(SQ).slice(0, 9).join(SQ),
    `${line}extra${SQ}`,
    squeueRow({ 0: 'x' }),
    squeueRow({ 1: 'abc' }),
    squeueRow({ 0: '7000_[1-0]' }),
    squeueRow({ 8: '-1' }),
    squeueRow({ 8: '99999999999999999999' }),
    squeueRow({ 9: 'soon' }),
    squeueRow({ 12: 'a long time' }),
    squeueRow({ 13: '-1:00' }),
    squeueRow({ 15: HUGE }),
    squeueRow({ 18: HUGE }),
    `${line}\r\n${line}\r\n`,
  ];
  runCorpus(t, 'squeue', squeue, corpus, { refused: 12 });
  runCorpus(t, 'squeue', squeue, damaged(rand, good, 600), { refused: 100 });
});

t.test('a log pattern with an absurd zero padding width is capped as Slurm caps it', async (t) => {
  for (const pattern of ['/w/%999999999999a.out', '/w/%100000000a.out']) {
    const [r] = parseSqueueText(squeueRow({ 15: pattern, 16: '' }));
    t.equal(r?.stdoutPath, '/w/0000000000.out', pattern);
  }
  const [r] = parseSqueueText(squeueRow({ 15: '/w/%15A_%3a.out', 16: '' }));
  t.equal(r?.stdoutPath, '/w/0000007000_000.out', 'Slurm 22.05 writes at most 10 digits');
});

t.test('sbatch --parsable and --version', async (t) => {
  const rand = prng(5);
  const sbatchCorpus = [
    ...generic(rand),
    'Submitted batch job 1234\n',
    '1234;\n',
    '1234;clu ster\n',
    ';cluster\n',
    '-5\n',
    '12a34\n',
    `${HUGE}1234`,
    ...damaged(rand, ['1234\n', '1234;betzy\n', 'NOTE: QOS preproc\n1234\n'], 300),
  ];
  runCorpus(t, 'sbatch', (s) => parseSbatchParsable(s), sbatchCorpus, { refused: 15 });
  t.same(
    parseSbatchParsable(`${BINARY}\n1234\n`),
    { jobId: '1234', cluster: null },
    'junk before the answer',
  );

  const versionCorpus = [
    ...generic(rand),
    'slurm\n',
    'slurm x.y\n',
    'slurm 22\n',
    'SLURM 22.05.8 extra words\n',
    ...damaged(rand, ['slurm 22.05.8\n', 'slurm-wlm 23.02.6\n'], 300),
  ];
  runCorpus(t, 'sbatch', (s) => parseVersion(s), versionCorpus, { refused: 15 });
});
