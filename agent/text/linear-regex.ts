// User-supplied regular expressions (diagnosis rules, checkpoint regexes, `log:` done markers) run on RE2
// semantics (re2js, pure JS): matching time is linear in the line's length whatever the pattern, so a rule
// like `(a+)+$` cannot hold the event loop. Built-in patterns stay native RegExps: they are fixed, reviewed
// and kept to one unbounded gap by a test, and V8's engine is several times faster on them.
import { RE2JS } from 're2js';
import { AgentError } from '../errors.js';

const FLAG_BITS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  // RE2 always reads UTF-16 strings as code points; `u` changes nothing there.
  u: 0,
};

/** JS's named back-reference (`\k<name>`): RE2 has none, and re2js would quietly read it as the letter k. */
const NAMED_BACKREF = /(?:^|[^\\])(?:\\\\)*\\k</;

/**
 * What is wrong with `source` as a user pattern, or null. It must be a valid JavaScript regex (the syntax
 * users write and the docs show) that RE2 can also compile: no back-references, no lookaround.
 */
export function linearRegexProblem(source: string, flags = ''): string | null {
  const bad = flags.replace(/[imsu]/g, '');
  if (bad) return `flag${bad.length > 1 ? 's' : ''} "${bad}" not allowed (use i, m, s, u)`;
  try {
    new RegExp(source, flags);
  } catch (err) {
    return `not a valid regular expression (${(err as Error).message})`;
  }
  if (NAMED_BACKREF.test(source))
    return 'back-references (\\k<name>) are not supported: patterns run in linear time (RE2 syntax)';
  try {
    RE2JS.compile(RE2JS.translateRegExp(source), re2Flags(flags));
  } catch (err) {
    return `not supported in linear time (RE2 syntax: no back-references, no lookaround): ${(err as Error).message}`;
  }
  return null;
}

function re2Flags(flags: string): number {
  let bits = 0;
  for (const f of flags) bits |= FLAG_BITS[f] ?? 0;
  return bits;
}

/**
 * A RegExp whose matching is done by RE2. It extends RegExp so every consumer typed `RegExp` (the log
 * watcher's matchers, `excerpt`) takes it unchanged: `test`, `match` and friends all go through `exec`,
 * which is overridden. The native pattern is compiled too, for `source`/`flags`, but never run.
 */
export class LinearRegExp extends RegExp {
  readonly #re2: RE2JS;

  constructor(source: string, flags = '') {
    super(source, flags);
    this.#re2 = RE2JS.compile(RE2JS.translateRegExp(source), re2Flags(flags));
  }

  override exec(input: string): RegExpExecArray | null {
    return this.#re2.exec(String(input)) as RegExpExecArray | null;
  }

  override test(input: string): boolean {
    return this.#re2.test(String(input));
  }

  // String.prototype.split/replace build a new regex through the species constructor with the sticky flag,
  // which RE2 has not: no such use exists, and a native copy would backtrack, so refuse it outright.
  static override get [Symbol.species](): RegExpConstructor {
    throw new TypeError('LinearRegExp supports exec, test and match only');
  }
}

export class LinearRegexError extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
    this.name = 'LinearRegexError';
  }
}

/** Compiles a user pattern; throws LinearRegexError naming `where` (a config key or request option). */
export function compileLinearRegex(source: string, flags: string, where: string): LinearRegExp {
  const problem = linearRegexProblem(source, flags);
  if (problem !== null) throw new LinearRegexError(where, problem);
  return new LinearRegExp(source, flags);
}

/**
 * Refuses a submit's or adopt's patterns that RE2 cannot run, naming the option, before anything is sent
 * to Slurm (a job-name default from the config was checked when the config was read).
 */
export function checkRequestPatterns(m: { checkpointRegex: string | null; doneMarker: string | null }): void {
  const problems: string[] = [];
  const check = (where: string, source: string | null) => {
    const problem =
      source === null ? null : linearRegexProblem(source, where.includes('checkpoint') ? 'i' : '');
    if (problem !== null) problems.push(`${where}: ${problem}`);
  };
  check('--checkpoint-regex', m.checkpointRegex);
  if (m.doneMarker?.startsWith('log:')) check('--done-marker log:PATTERN', m.doneMarker.slice(4));
  if (problems.length) throw new AgentError('AGENT_ERR_BAD_REQUEST', problems.join('; '));
}
