// The shape of POST /notify/test: one result per configured target, named without its secret URL.
import { z } from 'zod';

export const NotifyTestResultSchema = z.object({
  /** The target's name: its configured name, or its format and host; never a webhook's whole URL. */
  target: z.string(),
  type: z.enum(['webhook', 'mail']),
  ok: z.boolean(),
  /** Why it failed (an HTTP status, a refused connection, sendmail's exit), or null. */
  error: z.string().nullable(),
});

export const NotifyTestReplySchema = z.object({
  results: z.array(NotifyTestResultSchema),
});
export type NotifyTestReply = z.infer<typeof NotifyTestReplySchema>;
