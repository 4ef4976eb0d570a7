// emb-client logs TARGET [--attempt N] [--bytes N]: the end of one attempt's log (default: the latest, or
// the attempt whose own job id TARGET is), under a header naming the file.
import { intOption, oneTarget } from '../args.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';

export default async function logs(ctx: Context): Promise<number> {
  const target = oneTarget(ctx.parsed.positionals, 'logs');
  const bytes = intOption(ctx.parsed.options, 'bytes');
  const q = new URLSearchParams({ target });
  if (bytes !== undefined) q.set('bytes', String(bytes));
  const attempt = intOption(ctx.parsed.options, 'attempt');
  if (attempt !== undefined) q.set('attempt', String(attempt));
  const api = await ctx.api();
  const reply = await api.raw('GET', `/logs?${q.toString()}`);
  if (ctx.parsed.global.json) ctx.out(`${reply.body}\n`);
  else {
    const r = JSON.parse(reply.body) as {
      text: string;
      attempt?: number;
      attempts?: number;
      jobId?: string;
      paths?: string[];
    };
    if (r.jobId !== undefined) {
      const files = r.paths?.length ? r.paths.join(', ') : 'no file named';
      ctx.out(`==> ${files} (attempt ${r.attempt} of ${r.attempts}, job ${r.jobId}) <==\n`);
    }
    const text = r.text;
    ctx.out(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }
  return EXIT.ok;
}
