// User patterns run on RE2 semantics: a catastrophic pattern finishes on any line, and what RE2 cannot run
// (back-references, lookaround) is refused when the config or request is read, naming the key.
import t from 'tap';
import { readRuntimeEnv, resolveConfig } from '../../../agent/config/load.js';
import { Diagnoser } from '../../../agent/diagnose/diagnose.js';
import { ConfigError, isAgentError } from '../../../agent/errors.js';
import { LinearRegExp, compileLinearRegex, linearRegexProblem } from '../../../agent/text/linear-regex.js';

const env = readRuntimeEnv({ USER: 'digifarm', HOME: '/home/digifarm', PATH: '/usr/bin' });
const EVIL = { cause: 'evil', pattern: '(a+)+$', hint: 'never mind' };

t.test('a catastrophic rule finishes on forty a, and on a 1 MB line', async (t) => {
  const d = new Diagnoser([EVIL]);
  // With a backtracking engine this line alone takes minutes: every split of the a's is tried before the "!".
  t.equal(d.diagnoseLine(`${'a'.repeat(40)}!`), null, 'forty a then a stop: no match, and it returned');
  t.equal(d.diagnoseLine('a'.repeat(40))?.cause, 'evil', 'forty a: a match');
  const huge = `${'a'.repeat(1 << 20)}!`;
  t.equal(d.diagnoseLine(huge)?.cause, 'evil', 'a 1 MB line (rules see its first 8 KiB): it returned');
  t.equal(new LinearRegExp(EVIL.pattern).test(huge), false, 'the whole 1 MB line: no match, and it returned');
  const re = new LinearRegExp('(x+x+)+y');
  t.equal(re.test(`${'x'.repeat(1 << 20)}z`), false, 'RegExp-typed callers get the linear engine too');
  t.equal(`${'x'.repeat(1 << 20)}z`.match(re), null, 'String#match goes through it as well');
});

t.test('the RegExp interface keeps its meaning', async (t) => {
  const re = compileLinearRegex('saved (?<what>checkpoint)', 'i', 'x');
  t.ok(re instanceof RegExp);
  t.equal(re.source, 'saved (?<what>checkpoint)');
  const m = re.exec('we SAVED Checkpoint 3');
  t.equal(m?.index, 3);
  t.equal(m?.[0], 'SAVED Checkpoint');
  t.equal(re.test('loaded checkpoint'), false);
});

t.test('what RE2 cannot run is refused with the reason', async (t) => {
  t.equal(linearRegexProblem('shard \\d+ written'), null);
  t.match(linearRegexProblem('(a)\\1'), /linear time/);
  t.match(linearRegexProblem('(?=a)b'), /lookaround|linear time/);
  t.match(linearRegexProblem('(?<!a)b'), /linear time/);
  t.match(linearRegexProblem('(?<n>a)\\k<n>'), /back-references/);
  t.match(linearRegexProblem('('), /not a valid regular expression/);
  t.match(linearRegexProblem('a', 'g'), /flag "g"/);
  t.throws(() => compileLinearRegex('(a)\\1', '', '--checkpoint-regex'), /^--checkpoint-regex: /);
});

t.test('the config names the key of a pattern RE2 cannot run', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ diagnose: { rules: [{ ...EVIL, pattern: '(a)\\1' }] } }, /diagnose\.rules\.0\.pattern: .*linear time/],
    [{ resume: { checkpointRegex: '(?=saved)' } }, /resume\.checkpointRegex: .*linear time/],
    [
      { resume: { jobDefaults: { 'a.sbatch': { checkpointRegex: '(x)\\1' } } } },
      /resume\.jobDefaults\.a\.sbatch\.checkpointRegex/,
    ],
    [
      { resume: { jobDefaults: { 'b.sbatch': { doneMarker: 'log:(?<!not )done' } } } },
      /resume\.jobDefaults\.b\.sbatch\.doneMarker/,
    ],
  ];
  for (const [doc, re] of cases) {
    const err = t.throws(() => resolveConfig(doc, env, null)) as ConfigError;
    t.ok(err instanceof ConfigError);
    t.match(err.problems.join('\n'), re);
  }
  t.ok(resolveConfig({ diagnose: { rules: [EVIL] } }, env, null), 'a slow-looking but linear rule loads');
  const err = t.throws(() => new Diagnoser([{ ...EVIL, pattern: '(a)\\1' }]));
  t.ok(isAgentError(err, 'AGENT_ERR_CONFIG'));
});
