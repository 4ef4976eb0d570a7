import t from 'tap';
import { PreflightConfigSchema } from '../../../agent/preflight/config.js';
import { jobFacts } from '../../../agent/preflight/facts.js';
import { BETZY, profileFromConfig } from '../../../agent/preflight/profile.js';
import { checkJob, describeFinding } from '../../../agent/preflight/rules.js';
import { formatTimeSpec, parseTimeSpec } from '../../../agent/preflight/time-spec.js';

const CWD = '/cluster/work/users/alice/emb';
const judge = (argv: string[], directives: string[] = [], profile = BETZY) =>
  checkJob(jobFacts([...argv, 'job.sbatch'], directives, CWD), profile);
const rules = (v: { refusals: { rule: string }[] }) => v.refusals.map((f) => f.rule);

t.test('sbatch time values as minutes, and back', async (t) => {
  for (const [text, minutes] of [
    ['10', 10],
    ['10:30', 11],
    ['4:00:00', 240],
    ['1-0', 1440],
    ['1-12', 2160],
    ['1-12:30', 2190],
    ['7-00:00:00', 10080],
    ['UNLIMITED', null],
  ] as const) {
    t.equal(parseTimeSpec(text), minutes, text);
  }
  t.equal(parseTimeSpec('soon'), undefined);
  t.equal(formatTimeSpec(2190), '1-12:30:00');
  t.equal(formatTimeSpec(45), '0-00:45:00');
  t.equal(parseTimeSpec(formatTimeSpec(5000)), 5000);
});

t.test("Betzy's table: each rule of the users' guide refuses with the rule and the fix", async (t) => {
  const mem = judge(['--mem=8G', '-t', '1:00:00']);
  t.same(rules(mem), ['mem-forbidden'], 'normal (the default partition) takes no --mem');
  t.match(describeFinding(mem.refusals[0]!), /mem-forbidden.*--mem=8G.*fix: remove --mem=8G.*preproc/);
  t.same(rules(judge(['-p', 'preproc', '--mem=8G', '-t', '4:00:00'])), [], 'preproc takes --mem');
  t.same(rules(judge(['-p', 'accel', '-t', '1-0'])), ['gpus-required']);
  t.same(
    rules(judge(['-p', 'accel', '--gpus=4', '--mem=0', '-t', '7-00:00:00'])),
    [],
    "the guide's training job",
  );
  t.same(rules(judge(['-p', 'accel', '--gres=gpu:a100:1'])), [], '--gres=gpu counts as a GPU request');
  t.same(rules(judge(['-p', 'normal', '--gpus=1'])), ['gpus-forbidden']);
  const long = judge(['-p', 'preproc', '-t', '2-00:00:00']);
  t.same(rules(long), ['time-over-limit']);
  t.match(long.refusals[0]!.fix, /--time=1-00:00:00.*resume.*normal \(4-00:00:00\)/);
  t.same(rules(judge(['-t', '5-0'])), ['time-over-limit'], 'normal: 4 days');
  t.same(rules(judge(['-t', 'UNLIMITED'])), ['time-over-limit']);
  t.same(rules(judge([])), [], 'no --time: the partition default applies');
});

t.test('#SBATCH lines count; the command line wins over them', async (t) => {
  t.same(rules(judge([], ['--partition=accel', '--time=7-00:00:00'])), ['gpus-required']);
  t.same(rules(judge(['-p', 'preproc'], ['--partition=accel', '--mem=8G'])), []);
  t.same(rules(judge(['-t', '10'], ['-t', '9-0'])), []);
});

t.test('an unknown partition warns (or refuses when the config says so)', async (t) => {
  const v = judge(['-p', 'bigmem']);
  t.same(rules(v), []);
  t.equal(v.warnings[0]?.rule, 'partition-unknown');
  const strict = profileFromConfig(PreflightConfigSchema.parse({ unknownPartition: 'refuse' }));
  t.same(rules(judge(['-p', 'bigmem'], [], strict)), ['partition-unknown']);
});

t.test('paths in the small-quota project space are warned about, never refused', async (t) => {
  const v = checkJob(
    jobFacts(['-o', 'logs/%x_%A_%a.out', 'job.sbatch'], [], '/cluster/projects/nn12037k/emb'),
    BETZY,
  );
  t.same(rules(v), []);
  t.same(
    v.warnings.map((w) => w.rule),
    ['small-quota'],
  );
  t.match(
    describeFinding(v.warnings[0]!),
    /--output \/cluster\/projects\/nn12037k\/emb\/logs.*\/cluster\/work\/users/,
  );
  const home = '/cluster/projects/nn12037k/emb';
  t.same(
    checkJob(jobFacts(['-o', '/cluster/work/users/alice/x.out', 'job.sbatch'], [], home), BETZY).warnings,
    [],
    'submitted from the project space with the log in the work space: nothing lands there',
  );
  t.match(
    checkJob(jobFacts(['job.sbatch'], [], home), BETZY).warnings,
    [{ rule: 'small-quota', message: /working directory \(slurm-%j\.out\)/ }],
    "without --output, Slurm's own log lands in the working directory",
  );
  t.same(judge(['-o', '/cluster/work/users/alice/x.out']).warnings, []);
});

t.test('the config lays partitions over the profile, or starts from none', async (t) => {
  const p = profileFromConfig(
    PreflightConfigSchema.parse({
      partitions: { normal: { maxTime: '30', mem: 'allowed' }, debug: { maxTime: '0:30:00' } },
      smallQuotaPaths: ['/tmp/proj'],
    }),
  );
  t.equal(p.partitions.normal?.maxMinutes, 30);
  t.equal(p.partitions.accel?.gpus, 'required', 'the rest of the table stays');
  t.same(rules(judge(['--mem=1G', '-t', '20'], [], p)), []);
  t.same(rules(judge(['-t', '40'], [], p)), ['time-over-limit']);
  t.same(p.smallQuotaPaths, ['/tmp/proj']);
  const none = profileFromConfig(PreflightConfigSchema.parse({ profile: 'none' }));
  t.same(judge(['--mem=8G', '-p', 'anything', '-t', '99-0'], [], none), { refusals: [], warnings: [] });
  t.throws(() => PreflightConfigSchema.parse({ partitions: { x: { maxTime: 'soon' } } }));
});
