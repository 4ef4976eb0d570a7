// emb-client events [--submission N] [--limit N] [--follow [--interval S]].
import type { ApiEvent } from '../../agent/api/schemas.js';
import { intOption } from '../args.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';
import { eventLines } from '../format/submissions.js';

export default async function events(ctx: Context): Promise<number> {
  const { options, global } = ctx.parsed;
  const submission = intOption(options, 'submission');
  const limit = intOption(options, 'limit') ?? 100;
  const intervalMs = (intOption(options, 'interval') ?? 2) * 1000;
  const follow = options.has('follow');
  const api = await ctx.api();
  const query = (after: number | undefined) => {
    const q = new URLSearchParams({ limit: String(Math.min(limit, 1000)) });
    if (submission !== undefined) q.set('submission', String(submission));
    if (after !== undefined) q.set('after', String(after));
    return `/events?${q.toString()}`;
  };
  if (!follow) {
    const reply = await api.raw('GET', query(undefined));
    if (global.json) ctx.out(`${reply.body}\n`);
    else {
      const list = JSON.parse(reply.body) as ApiEvent[];
      ctx.out(list.length ? `${eventLines(list, ctx.width).join('\n')}\n` : 'no events\n');
    }
    return EXIT.ok;
  }
  // --follow prints one line (or one JSON object) per event as they come, until interrupted.
  let after: number | undefined;
  for (;;) {
    const list = await api.get<ApiEvent[]>(query(after));
    if (list.length) {
      ctx.out(
        global.json
          ? list.map((e) => `${JSON.stringify(e)}\n`).join('')
          : `${eventLines(list, ctx.width).join('\n')}\n`,
      );
      after = (list.at(-1) as ApiEvent).id;
    } else if (after === undefined) after = 0;
    await ctx.sleep(intervalMs);
  }
}
