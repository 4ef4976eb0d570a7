// What a recipe's argv says about the job: its script, array spec, name and markers in force.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JobDefaultsSchema } from '../config/schema.js';
import type { z } from 'zod';
import { parseArraySpec, type ArraySpec } from '../recipe/array-spec.js';
import { optionValue, parseSbatchArgs, scriptDirectives, type SbatchArgs } from '../recipe/sbatch-args.js';

export interface RecipeInfo {
  parsed: SbatchArgs;
  name: string | null;
  arraySpecText: string | null;
  array: ArraySpec | null;
  notes: string[];
}

/** Reads the argv and, for what it leaves out, the script's #SBATCH lines (command-line options win). */
export function recipeInfo(args: string[], cwd: string): RecipeInfo {
  const parsed = parseSbatchArgs(args);
  const notes: string[] = [];
  let directives: SbatchArgs | null = null;
  if (parsed.script !== null) {
    try {
      directives = parseSbatchArgs([
        ...scriptDirectives(readFileSync(path.resolve(cwd, parsed.script), 'utf8')),
        'x',
      ]);
    } catch (err) {
      notes.push(
        `could not read the batch script ${parsed.script} for its #SBATCH lines: ${(err as Error).message}`,
      );
    }
  }
  const pick = (name: string) =>
    optionValue(parsed, name) ?? (directives ? optionValue(directives, name) : null);
  const arraySpecText = pick('array');
  const name =
    pick('job-name') ??
    (parsed.script
      ? path.basename(parsed.script)
      : parsed.options.some((o) => o.name === 'wrap')
        ? 'wrap'
        : null);
  return { parsed, name, arraySpecText, array: arraySpecText ? parseArraySpec(arraySpecText) : null, notes };
}

export type JobDefaults = z.infer<typeof JobDefaultsSchema>;
