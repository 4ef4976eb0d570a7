// emb-client logs TARGET [--bytes N]: the end of a task's latest log.
import { intOption, oneTarget } from '../args.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';

export default async function logs(ctx: Context): Promise<number> {
  const target = oneTarget(ctx.parsed.positionals, 'logs');
  const bytes = intOption(ctx.parsed.options, 'bytes');
  const q = new URLSearchParams({ target });
  if (bytes !== undefined) q.set('bytes', String(bytes));
  const api = await ctx.api();
  const reply = await api.raw('GET', `/logs?${q.toString()}`);
  if (ctx.parsed.global.json) ctx.out(`${reply.body}\n`);
  else {
    const { text } = JSON.parse(reply.body) as { text: string };
    ctx.out(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }
  return EXIT.ok;
}
