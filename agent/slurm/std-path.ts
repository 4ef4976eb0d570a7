// stdout/stderr paths as squeue -O prints them. Every version prints the raw --output pattern
// ("/w/logs/%x_%A_%a.out"; --expand-patterns exists only from 24.05). For a job without --output, 22.05 to
// 23.11 print "<workdir>/slurm-<raw job id>.out", which is wrong for array tasks (Slurm writes
// "slurm-%A_%a.out"); 24.05+ print the right default pattern, and "(null)" for a StdErr not set apart
// from StdOut. So the agent expands patterns itself, the way slurmd does.
import path from 'node:path';

/** Slurm's NO_VAL, which slurmd writes for %a in a job that is not an array. */
const NO_VAL = 4294967294;

/** The widest zero padding Slurm applies to a number in a file name pattern (checked on 22.05). */
const MAX_PAD = 10;

export interface StdPathContext {
  /** %j; null for a task that has not started (its raw id is not known yet). */
  jobIdRaw: string | null;
  /** %A: the array's id, or the job id for a plain job. */
  arrayJobId: string;
  /** %a: null for a plain job. */
  arrayTaskId: number | null;
  /** %u */
  user: string | null;
  /** %x */
  name: string | null;
  workDir: string | null;
}

/**
 * Expands a stdout/stderr pattern; null when it names something unknown on the login node (%N, %J, %s,
 * or %j of a task that has not started) or is relative without a working directory.
 */
function expandStdPath(pattern: string, ctx: StdPathContext): string | null {
  let out: string;
  if (pattern.includes('\\')) {
    // A backslash anywhere turns expansion off; slurmd drops the backslashes.
    out = pattern.replace(/\\/g, '');
  } else {
    let failed = false;
    out = pattern.replace(/%(\d*)([%A-Za-z])/g, (_all, width: string, letter: string) => {
      const value = fieldValue(letter, ctx);
      if (value === null) {
        failed = true;
        return '';
      }
      if (letter === '%') return '%';
      // Slurm pads to at most 10 digits ("%15a" writes 10), so a huge width cannot build a huge path.
      return /^\d+$/.test(value) ? value.padStart(Math.min(Number(width || 0), MAX_PAD), '0') : value;
    });
    if (failed) return null;
  }
  if (path.isAbsolute(out)) return out;
  return ctx.workDir === null ? null : path.join(ctx.workDir, out);
}

function fieldValue(letter: string, ctx: StdPathContext): string | null {
  switch (letter) {
    case '%':
      return '%';
    case 'A':
      return ctx.arrayJobId;
    case 'a':
      return String(ctx.arrayTaskId ?? NO_VAL);
    case 'b':
      return String((ctx.arrayTaskId ?? NO_VAL) % 10);
    case 'j':
      return ctx.jobIdRaw;
    case 'u':
      return ctx.user;
    case 'x':
      return ctx.name;
    case 'n':
    case 't':
      // The batch script is node 0, task 0.
      return '0';
    default:
      return null;
  }
}

/** Where Slurm writes a job's output when no --output was given. */
function defaultStdPath(ctx: StdPathContext): string | null {
  if (ctx.workDir === null) return null;
  if (ctx.arrayTaskId !== null)
    return path.join(ctx.workDir, `slurm-${ctx.arrayJobId}_${ctx.arrayTaskId}.out`);
  return ctx.jobIdRaw === null ? null : path.join(ctx.workDir, `slurm-${ctx.jobIdRaw}.out`);
}

/**
 * A path as squeue printed it (a pattern; up to 23.11 "<workdir>/slurm-<raw id>.out" for the default, from
 * 24.05 "<workdir>/slurm-%A_%a.out"), resolved for one task.
 */
export function resolvePrintedStdPath(printed: string | null, ctx: StdPathContext): string | null {
  if (printed === null || printed === '') return null;
  const workDir = ctx.workDir;
  if (workDir !== null) {
    const base = path.join(workDir, 'slurm-');
    // squeue's stand-in for "no --output": the raw job id, which is not what slurmd uses for arrays.
    if (ctx.jobIdRaw !== null && printed === `${base}${ctx.jobIdRaw}.out`) return defaultStdPath(ctx);
    if (ctx.jobIdRaw === null && new RegExp(`^${escapeRe(base)}\\d+\\.out$`).test(printed)) {
      return defaultStdPath(ctx);
    }
  }
  return expandStdPath(printed, ctx);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
