// The pipeline routes' request and reply shapes (POST /pipelines/apply and /pipelines/status).
import { z } from 'zod';
import { SubmitBodySchema, WaitingSchema } from '../api/schemas.js';

export const PipelineBodySchema = z.strictObject({
  /** The pipeline file's text (YAML), as the client read it. */
  text: z.string().min(1).max(1_000_000),
  /** The file's folder: relative paths in the file hang off it. */
  dir: SubmitBodySchema.shape.cwd,
  /** apply only: the environment the steps' jobs get (the client's, as submit sends it). */
  env: SubmitBodySchema.shape.env,
});
export type PipelineBody = z.infer<typeof PipelineBodySchema>;

export const PipelineStepReplySchema = z.object({
  step: z.string(),
  /** null: not applied yet. */
  submissionId: z.number().int().nullable(),
  /**
   * apply: submitted (recorded now; sent when its prerequisites are done), unchanged, or changed (the file
   * differs from what was applied: reported, never resubmitted). status: not applied, waiting, sent,
   * dropped, or the tasks' states.
   */
  action: z.string(),
  jobId: z.string().nullable(),
  changed: z.boolean(),
  waiting: WaitingSchema.optional(),
  counts: z.record(z.string(), z.number().int()),
  after: z.array(z.string()),
});

export const PipelineReplySchema = z.object({
  pipeline: z.string(),
  steps: z.array(PipelineStepReplySchema),
  warnings: z.array(z.string()),
});
export type PipelineReply = z.infer<typeof PipelineReplySchema>;
export type PipelineStepReply = z.infer<typeof PipelineStepReplySchema>;
