// sbatch --parsable prints "jobid" or "jobid;cluster". Site plugins may print notices around it, so the
// last line of that form is the answer.
import { outputError } from './records.js';
import type { SubmitResult, TestOnlyAnswer } from './types.js';

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

/**
 * `sbatch --test-only` prints to stderr "sbatch: Job 644 to start at 2026-12-01T05:39:25 using 1 processors
 * on nodes vm in partition normal" (22.05 and 24.11 alike: src/api/allocate.c). Exit 0 is the answer; the
 * line only adds where and when, so a site that words it otherwise still passes.
 */
export function parseTestOnly(stderr: string): TestOnlyAnswer {
  const line =
    stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /\bto start at\b/.test(l)) ??
    stderr.trim().split('\n').at(-1) ??
    '';
  const m = /to start at (\S+).* in partition (\S+)/.exec(line);
  return { partition: m?.[2] ?? null, startAt: m?.[1] ?? null, line: line.replace(/^sbatch:\s*/, '') };
}
