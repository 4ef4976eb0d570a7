// What a user asks of preflight for one submission, kept with it (an event) so resubmissions follow it.
import { z } from 'zod';
import type { EventKind } from '../tasks/event-kinds.js';

export const PreflightOptionsSchema = z.strictObject({
  /** --no-preflight "REASON": the table's checks are skipped for this submission, the reason recorded. */
  skip: z.string().trim().min(1, { message: 'say why preflight is skipped' }).max(500).optional(),
  /** --fit-time: resubmissions ask for the time the work left needs, not the original --time. */
  fitTime: z.boolean().optional(),
  /** --target N: units (shards, progress files or lines) each task must reach in all. */
  target: z.number().int().positive().optional(),
});
export type PreflightOptions = z.infer<typeof PreflightOptionsSchema>;

/** The event kind the options are stored under (listed in agent/tasks/event-kinds.ts). */
export const OPTIONS_KIND = 'preflight.options' satisfies EventKind;
