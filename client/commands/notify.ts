// emb-client notify test: one test message to every notification target the agent has, and how each went.
import type { NotifyTestReply } from '../../agent/api/notify.js';
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../errors.js';

export default async function notify(ctx: Context): Promise<number> {
  const [sub, ...rest] = ctx.parsed.positionals;
  if (sub !== 'test' || rest.length) throw new UsageError('usage: emb-client notify test');
  const api = await ctx.api();
  const reply = await api.raw('POST', '/notify/test', {});
  const { results } = JSON.parse(reply.body) as NotifyTestReply;
  if (ctx.parsed.global.json) ctx.out(`${reply.body}\n`);
  else {
    const lines = results.map((r) =>
      r.ok ? `sent    ${r.target}` : `FAILED  ${r.target}: ${r.error ?? '?'}`,
    );
    ctx.out(`${lines.join('\n')}\n`);
  }
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.api;
}
