// The diagnosis of a task as the API returns it (ls, show, events): a stable cause id and a plain hint.
import { z } from 'zod';

export const DiagnosisSchema = z
  .object({
    /** Stable id, e.g. "disk-quota", "sas-expired", "time-limit"; see docs/watching.md for the catalogue. */
    cause: z.string(),
    /** What to do about it, in one or two plain sentences. */
    hint: z.string(),
    /** The log line that matched, trimmed to about 300 characters, secrets scrubbed. */
    line: z.string().optional(),
  })
  .nullable();

export type Diagnosis = NonNullable<z.infer<typeof DiagnosisSchema>>;
