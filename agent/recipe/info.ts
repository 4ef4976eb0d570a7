// What a recipe's argv says about the job: its script, array spec, name and markers in force.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { JobDefaultsSchema } from '../config/schema.js';
import type { z } from 'zod';
import { parseArraySpec, type ArraySpec } from './array-spec.js';
import { optionValue, parseSbatchArgs, scriptDirectives, type SbatchArgs } from './sbatch-args.js';

export interface RecipeInfo {
  parsed: SbatchArgs;
  name: string | null;
  arraySpecText: string | null;
  array: ArraySpec | null;
  notes: string[];
  /** --comment from the argv or the script: the agent does not tag a job whose comment the user set. */
  comment: string | null;
}

/** Slurm's default max_script_size: sbatch refuses a larger script anyway. */
const MAX_SCRIPT_BYTES = 4 * 1024 * 1024;

/**
 * The script's text, read only when it is a regular file of a sane size: a FIFO or a process substitution
 * (/dev/fd/N) would block the agent's event loop, /dev/zero would never end. Opened non-blocking, checked on
 * the open descriptor so nothing can be swapped in between.
 */
function readScript(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    if (st.size > MAX_SCRIPT_BYTES) throw new Error(`${file} is larger than ${MAX_SCRIPT_BYTES} bytes`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Reads the argv and, for what it leaves out, the script's #SBATCH lines (command-line options win). */
export function recipeInfo(args: string[], cwd: string): RecipeInfo {
  const parsed = parseSbatchArgs(args);
  const notes: string[] = [];
  let directives: SbatchArgs | null = null;
  if (parsed.script !== null) {
    try {
      directives = parseSbatchArgs([...scriptDirectives(readScript(path.resolve(cwd, parsed.script))), 'x']);
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
  return {
    parsed,
    name,
    arraySpecText,
    array: arraySpecText ? parseArraySpec(arraySpecText) : null,
    notes,
    comment: pick('comment'),
  };
}

export type JobDefaults = z.infer<typeof JobDefaultsSchema>;
