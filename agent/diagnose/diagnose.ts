// Turns a log line into a diagnosis (cause id, hint, the line) using user rules first, then the catalogue.
import type { Diagnosis } from '../api/diagnosis.js';
import { AgentError } from '../errors.js';
import { scrubSecrets } from '../log.js';
import { compileLinearRegex } from '../text/linear-regex.js';
import { BUILTIN_RULES, type Rule } from './rules.js';
import { CAUSE_SEVERITY, USER_RULE_SEVERITY } from './severity.js';

export type { Diagnosis };

/** A rule as the config file gives it (diagnose.rules). */
export interface UserRule {
  cause: string;
  pattern: string;
  flags?: string | undefined;
  hint: string;
}

/** Lines are matched on their first 8 KiB: error text sits early, and regex time stays bounded. */
const MATCH_LIMIT = 8 * 1024;
/** Diagnosis lines are cut to about this many characters around the match. */
export const LINE_LIMIT = 300;

export class Diagnoser {
  private readonly rules: readonly Rule[];
  private readonly userCauses: ReadonlySet<string>;

  /** Compiles user rules (RE2); throws AGENT_ERR_CONFIG naming the rule when a pattern cannot run in linear time. */
  constructor(userRules: readonly UserRule[] = [], builtins: readonly Rule[] = BUILTIN_RULES) {
    const compiled = userRules.map((r, i): Rule => {
      // g and y make RegExp.test stateful; drop them rather than match every other line.
      const flags = (r.flags ?? '').replace(/[gy]/g, '');
      try {
        // Linear time whatever the pattern: a user's `(a+)+$` must not hold the event loop.
        const re = compileLinearRegex(r.pattern, flags, `diagnose.rules.${i}.pattern`);
        return { cause: r.cause, patterns: [re], hint: r.hint };
      } catch (err) {
        throw new AgentError('AGENT_ERR_CONFIG', (err as Error).message, { cause: err });
      }
    });
    this.rules = [...compiled, ...builtins];
    this.userCauses = new Set(userRules.map((r) => r.cause));
  }

  /** The diagnosis for one line, or null when no rule matches. */
  diagnoseLine(line: string): Diagnosis | null {
    if (line.length < 4) return null;
    const text = line.length > MATCH_LIMIT ? line.slice(0, MATCH_LIMIT) : line;
    for (const rule of this.rules) {
      if (rule.unless?.some((re) => re.test(text))) continue;
      for (const re of rule.patterns) {
        if (re.test(text)) return { cause: rule.cause, hint: rule.hint, line: excerpt(text, re) };
      }
    }
    return null;
  }

  /** How much a cause explains a task's end (see CAUSE_SEVERITY). */
  severity(cause: string): number {
    return CAUSE_SEVERITY[cause] ?? (this.userCauses.has(cause) ? USER_RULE_SEVERITY : 0);
  }

  /** True when `next` should replace `current` as a task's diagnosis: strictly more severe wins. */
  prefer(current: Diagnosis | null, next: Diagnosis): boolean {
    return current === null || this.severity(next.cause) > this.severity(current.cause);
  }
}

/** Scrubs secrets, then cuts to LINE_LIMIT characters keeping the part `re` matches in view. */
export function excerpt(line: string, re?: RegExp): string {
  // Scrub before cutting: a cut through "sig=..." would leave the secret unrecognisable to the scrubber.
  const clean = scrubSecrets(line.trim());
  if (clean.length <= LINE_LIMIT) return clean;
  const at = re?.exec(clean)?.index ?? 0;
  // Keep about a third of the window before the match: the error's subject often precedes its message.
  const start = Math.max(0, Math.min(at - Math.floor(LINE_LIMIT / 3), clean.length - LINE_LIMIT));
  const end = start + LINE_LIMIT;
  return `${start > 0 ? '…' : ''}${clean.slice(start, end)}${end < clean.length ? '…' : ''}`;
}

/** diagnoseLine with the built-in catalogue only (no user rules). */
export function diagnoseLine(line: string): Diagnosis | null {
  return new Diagnoser().diagnoseLine(line);
}
