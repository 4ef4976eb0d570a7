// sbatch --parsable prints "jobid" or "jobid;cluster". Site plugins may print notices around it, so the
// last line of that form is the answer.
import { outputError } from './records.js';
import type { SubmitResult } from './types.js';

/**
 * NB: when this throws, sbatch exited 0, so a job may well have been created: the caller must reconcile
 * (by the --comment tag) rather than submit again blindly.
 */
export function parseSbatchParsable(stdout: string): SubmitResult {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^(\d+)(?:;([\w.-]+))?$/.exec(lines[i] ?? '');
    if (m?.[1] !== undefined) return { jobId: m[1], cluster: m[2] ?? null };
  }
  const shown = lines.at(-1);
  throw outputError(
    'sbatch',
    lines.length === 0 ? null : lines.length,
    'no job id in the --parsable answer',
    shown ?? '',
  );
}
