// Diagnoses a refused sbatch from its stderr, sharpened by the argv that was refused.
import type { Diagnosis } from '../api/diagnosis.js';
import type { Diagnoser } from './diagnose.js';
import { MEM_ON_NORMAL_HINT } from './rules.js';

/** True when argv asks for memory on the normal partition, which Betzy refuses. */
export function memOnNormal(argv: readonly string[]): boolean {
  let mem = false;
  let normal = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (/^--mem(?:-per-cpu|-per-gpu)?(?:=|$)/.test(a)) mem = true;
    if (a === '--partition=normal' || a === '-pnormal') normal = true;
    if ((a === '--partition' || a === '-p') && argv[i + 1] === 'normal') normal = true;
    if (a === '--') break;
  }
  return mem && normal;
}

/** The most severe diagnosis among stderr's lines; a generic rejection of --mem on normal gets the specific hint. */
export function diagnoseSubmit(
  stderr: string,
  argv: readonly string[],
  diagnoser: Diagnoser,
): Diagnosis | null {
  let best: Diagnosis | null = null;
  for (const line of stderr.split(/\r?\n/)) {
    const d = diagnoser.diagnoseLine(line);
    if (d && diagnoser.prefer(best, d)) best = d;
  }
  if (best?.cause === 'sbatch-rejected' && memOnNormal(argv)) return { ...best, hint: MEM_ON_NORMAL_HINT };
  return best;
}

/** A refused resubmission: what sbatch said, diagnosed, and how to send it again once the recipe is fixed. */
export function diagnoseResubmitRefusal(
  stderr: string,
  argv: readonly string[],
  why: string,
  diagnoser: Diagnoser,
): Diagnosis {
  const found = diagnoseSubmit(stderr, argv, diagnoser);
  const then = 'fix the recipe, then use `emb-client resubmit`';
  if (!found) return { cause: 'sbatch-rejected', hint: `sbatch refused the job: ${then}`, line: why };
  return { ...found, hint: `${found.hint} Then ${then}.`, line: found.line ?? why };
}
