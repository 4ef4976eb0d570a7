// The catalogue's hints name folders as the user configured them, never one project's layout.
import type { Rule } from './rules.js';

export interface HintPaths {
  /** Absolute, `$USER` and `~` already expanded (config workRoot). */
  workRoot: string;
}

/** The rules with `{workRoot}` in their hints replaced by the configured folder. */
export function withConfiguredPaths(rules: readonly Rule[], paths: HintPaths): Rule[] {
  return rules.map((r) => ({ ...r, hint: r.hint.replaceAll('{workRoot}', paths.workRoot) }));
}
