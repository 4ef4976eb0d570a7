// emb-client show TARGET: one submission (#12, or the job 1234) or one task (#12:7, 1234_7) in detail.
import type { JobRefReply, SubmissionDetail } from '../../agent/api/schemas.js';
import { oneTarget } from '../args.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';
import { renderDetail } from '../format/submissions.js';

export default async function show(ctx: Context): Promise<number> {
  const target = oneTarget(ctx.parsed.positionals, 'show');
  const api = await ctx.api();
  let id: number;
  let focus: number | null;
  if (target.startsWith('#')) {
    const [sub, index] = target.slice(1).split(':');
    id = Number(sub);
    focus = index === undefined ? null : Number(index);
  } else {
    const ref = await api.get<JobRefReply>(`/jobs/${target}`);
    id = ref.submissionId;
    focus = ref.index;
  }
  const reply = await api.raw('GET', `/submissions/${id}`);
  if (ctx.parsed.global.json) {
    ctx.out(`${reply.body}\n`);
    return EXIT.ok;
  }
  ctx.out(renderDetail(JSON.parse(reply.body) as SubmissionDetail, focus, ctx.width));
  return EXIT.ok;
}
