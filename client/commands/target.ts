// emb-client hold|release|resubmit|cancel|archive|unarchive TARGET.
import { oneTarget } from '../args.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';
import { ranges } from '../format/text.js';

interface TargetReply {
  submissionId: number;
  indices: number[];
  message: string;
}

export default async function target(ctx: Context): Promise<number> {
  const command = ctx.parsed.command as 'hold' | 'release' | 'resubmit' | 'cancel' | 'archive' | 'unarchive';
  const t = oneTarget(ctx.parsed.positionals, command);
  const api = await ctx.api();
  const force = command === 'resubmit' && ctx.parsed.options.has('force');
  const r = await api.post<TargetReply>(`/${command}`, { target: t, ...(force ? { force } : {}) });
  if (ctx.parsed.global.json) ctx.out(`${JSON.stringify(r)}\n`);
  else {
    const which = r.indices.length ? ` (tasks ${ranges([...r.indices].sort((a, b) => a - b))})` : '';
    ctx.out(`#${r.submissionId}${which}: ${r.message}\n`);
  }
  return EXIT.ok;
}
