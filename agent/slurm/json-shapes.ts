// zod shapes for the pieces of Slurm JSON that changed between versions, and their normalisers.
//   21.08/22.05 (v0.0.37/38): plain numbers (NO_VAL sentinels), null for unset, state strings,
//                             flat exit codes {status, return_code[, signal]}; squeue exit_code a wait status.
//   23.02 (v0.0.39):          numbers as {set, infinite, number}; states still strings.
//   23.11+ (v0.0.40+):        state flag arrays; exit codes {status:[..], return_code:{..}, signal:{id:{..}, name}}.
import { z } from 'zod';
import { decodeWaitStatus, type ExitStatus } from './exit-code.js';

/** Slurm's NO_VAL/INFINITE for 32-bit fields, which plain-number versions print as is. */
const SENTINEL_32 = 0xfffffffe;

/** A Slurm job id: a positive 32-bit integer below NO_VAL. Anything else in its place is not a job. */
export const JobIdNumber = z.number().int().positive().lt(SENTINEL_32);
/** An array or het job id, where 0 means "not an array" ("not het"). */
export const ParentIdNumber = z.number().int().nonnegative().lt(SENTINEL_32);

export const NumberLike = z.union([
  z.number(),
  z.null(),
  z.object({ set: z.boolean(), infinite: z.boolean().optional(), number: z.number().optional() }),
]);
export type NumberLike = z.infer<typeof NumberLike>;

/** A number, or null when unset, infinite or a sentinel. zeroIsNull for times where 0 means "not yet". */
export function num(value: NumberLike | undefined, zeroIsNull = false): number | null {
  if (value === undefined || value === null) return null;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (!value.set || value.infinite === true || value.number === undefined) return null;
  else n = value.number;
  // Every Slurm number is a whole one; a fraction is garbage, as unknown as a sentinel.
  if (n >= SENTINEL_32 || n < 0 || !Number.isInteger(n)) return null;
  return zeroIsNull && n === 0 ? null : n;
}

export const StateValue = z.union([z.string(), z.array(z.string())]);

const Signal = z
  .object({
    id: NumberLike.optional(),
    signal_id: NumberLike.optional(),
    name: z.string().nullish(),
  })
  .nullish();

/** Exit codes: a wait status number (squeue 22.05), {set,..} (squeue 23.02) or a verbose object. */
export const ExitCodeValue = z.union([
  z.number(),
  z.null(),
  z.object({ set: z.boolean(), infinite: z.boolean().optional(), number: z.number().optional() }),
  z.object({
    status: z.union([z.string(), z.array(z.string())]).nullish(),
    return_code: NumberLike.optional(),
    signal: Signal,
  }),
]);
export type ExitCodeValue = z.infer<typeof ExitCodeValue>;

export function exitStatus(value: ExitCodeValue | undefined): ExitStatus {
  if (value === undefined || value === null) return { exitCode: null, exitSignal: null };
  if (typeof value === 'number') return decodeWaitStatus(value);
  if ('set' in value) {
    const n = num(value);
    return n === null ? { exitCode: null, exitSignal: null } : decodeWaitStatus(n);
  }
  const statuses = value.status === undefined || value.status === null ? [] : [value.status].flat();
  const rc = num(value.return_code);
  const sig = num(value.signal?.id ?? value.signal?.signal_id);
  const signalled = statuses.some((s) => /SIGNAL|CORE_DUMP/i.test(s));
  if (signalled || (sig !== null && sig > 0)) return { exitCode: rc ?? 0, exitSignal: sig };
  if (rc === null) return { exitCode: null, exitSignal: null };
  return { exitCode: rc, exitSignal: 0 };
}

/** Top-level errors Slurm puts in the JSON document instead of failing the command. */
export const JsonErrors = z
  .array(
    z.object({
      error: z.string().nullish(),
      description: z.string().nullish(),
      error_number: z.number().nullish(),
    }),
  )
  .nullish();

/** "22.05.8" from meta.Slurm (21.08-23.02) or meta.slurm (23.11+); numbers or strings. */
export const Meta = z
  .object({
    Slurm: z.object({ release: z.string().nullish() }).nullish(),
    slurm: z.object({ release: z.string().nullish() }).nullish(),
  })
  .nullish();

export function metaRelease(meta: z.infer<typeof Meta>): string | null {
  return meta?.slurm?.release ?? meta?.Slurm?.release ?? null;
}
