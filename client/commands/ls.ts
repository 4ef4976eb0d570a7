// emb-client ls: every submission and its tasks. With --json, the API's array exactly as it came.
import type { Submission, SubmissionSummary } from '../../agent/api/schemas.js';
import type { Context } from '../context.js';
import { ClientError, EXIT } from '../errors.js';
import { renderList } from '../format/submissions.js';
import { listQuery } from './ls-query.js';

type Listed = Submission | SubmissionSummary;

/** Full validation loads zod (≈100 ms, as long as the rest of `ls`), so it runs only with --check. */
async function validate(body: unknown): Promise<void> {
  const { SubmissionListSchema, SubmissionSummaryListSchema } = await import('../../agent/api/schemas.js');
  // The summary was asked for; an agent without it sends the full list, which is valid too.
  const first: unknown = Array.isArray(body) ? body[0] : undefined;
  const summary = typeof first === 'object' && first !== null && 'groups' in first;
  const r = (summary ? SubmissionSummaryListSchema : SubmissionListSchema).safeParse(body);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new ClientError(
      EXIT.api,
      `the reply does not match the API schema at ${first?.path.join('.') ?? '?'}: ${first?.message ?? ''}`,
    );
  }
}

function looksRight(body: unknown): body is Listed[] {
  return (
    Array.isArray(body) &&
    body.every(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        (Array.isArray((s as Submission).tasks) || Array.isArray((s as SubmissionSummary).groups)),
    )
  );
}

export default async function ls(ctx: Context): Promise<number> {
  const { json, check } = ctx.parsed.global;
  const query = listQuery(ctx.parsed.options, Date.now());
  const api = await ctx.api();
  // The table needs each submission's task groups, not every task: the agent groups them (10,000 tasks are
  // ~1.6 MB of JSON, most of this command's time). --json keeps the documented full list.
  const path = json ? `/submissions${query}` : `/submissions${query ? `${query}&` : '?'}view=summary`;
  const reply = await api.raw('GET', path);
  if (json && !check) {
    ctx.out(reply.body.endsWith('\n') ? reply.body : `${reply.body}\n`);
    return EXIT.ok;
  }
  const body: unknown = JSON.parse(reply.body);
  if (check) await validate(body);
  if (!looksRight(body))
    throw new ClientError(EXIT.api, `the agent at ${api.display} did not answer with a list of submissions`);
  ctx.out(json ? `${reply.body}\n` : renderList(body, ctx.width, query !== ''));
  return EXIT.ok;
}
