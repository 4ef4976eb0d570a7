// The config file's `preflight` section: which site table to start from, partitions that change or add to
// it, and the fitted wall-time's margins. Kept here so the rules and their settings change together.
import { z } from 'zod';
import { parseTimeSpec } from './time-spec.js';

const timeSpec = z.string().refine((t) => parseTimeSpec(t) !== undefined, {
  message: 'an sbatch time: "MINUTES", "H:M:S", "D-H", "D-H:M" or "D-H:M:S"',
});

export const PartitionRuleSchema = z.strictObject({
  /** The partition's MaxTime; absent: no limit known here (sbatch --test-only may still know one). */
  maxTime: timeSpec.optional(),
  /** forbidden: a job with --mem/--mem-per-cpu/--mem-per-gpu is rejected there (Betzy's normal). */
  mem: z.enum(['allowed', 'forbidden']).default('allowed'),
  /** required: a job without --gpus (or --gres=gpu) is refused; forbidden: a CPU-only partition. */
  gpus: z.enum(['required', 'allowed', 'forbidden']).default('allowed'),
  /** Said with every refusal on this partition. */
  note: z.string().min(1).optional(),
});

export const PreflightConfigSchema = z
  .strictObject({
    /** false: no check at all (each submit can still skip it with --no-preflight "REASON"). */
    enabled: z.boolean().default(true),
    /** The table to start from: the users' guide's Betzy table, or none. */
    profile: z.enum(['betzy', 'none']).default('betzy'),
    /** Partitions replacing the profile's entry of the same name, or added to it. */
    partitions: z.record(z.string().min(1), PartitionRuleSchema).default({}),
    /** Where a job without --partition goes (Betzy: normal). */
    defaultPartition: z.string().min(1).optional(),
    /** A partition not in the table: warn (sbatch --test-only and sbatch itself still judge), or refuse. */
    unknownPartition: z.enum(['warn', 'refuse']).default('warn'),
    /** Small-quota folders: output, log and marker paths under them are warned about (Betzy: project space). */
    smallQuotaPaths: z
      .array(z.string().refine((p) => p.startsWith('/'), { message: 'must be an absolute path' }))
      .optional(),
    /** Named in that warning's fix as where such files belong (Betzy: /cluster/work/users/$USER). */
    workSpace: z.string().min(1).optional(),
    /**
     * Ask Slurm too (sbatch --test-only, one controller call): never; deferred (only for a submission the
     * agent holds back and sends later, where a refusal found now saves days); always (before every sbatch).
     */
    testOnly: z.enum(['never', 'deferred', 'always']).default('deferred'),
    fitTime: z
      .strictObject({
        /** Added to the time the work left needs at the measured rate. */
        marginPercent: z.number().nonnegative().max(1000).default(25),
        /** Added as well: start-up, loading the checkpoint, the checkpoint at the end. */
        overheadMinutes: z.number().nonnegative().max(1440).default(10),
        /** Never ask for less. */
        minMinutes: z.number().int().positive().max(1440).default(10),
      })
      .prefault({}),
  })
  .prefault({});

export type PreflightConfig = z.output<typeof PreflightConfigSchema>;
