// emb-client ls: every submission and its tasks. With --json, the API's array exactly as it came.
import type { Submission } from '../../agent/api/schemas.js';
import type { Context } from '../context.js';
import { ClientError, EXIT } from '../errors.js';
import { renderList } from '../format/submissions.js';
import { listQuery } from './ls-query.js';

/** Full validation loads zod (≈100 ms, as long as the rest of `ls`), so it runs only with --check. */
async function validate(body: unknown): Promise<void> {
  const { SubmissionListSchema } = await import('../../agent/api/schemas.js');
  const r = SubmissionListSchema.safeParse(body);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new ClientError(
      EXIT.api,
      `the reply does not match the API schema at ${first?.path.join('.') ?? '?'}: ${first?.message ?? ''}`,
    );
  }
}

function looksRight(body: unknown): body is Submission[] {
  return (
    Array.isArray(body) &&
    body.every((s) => typeof s === 'object' && s !== null && Array.isArray((s as Submission).tasks))
  );
}

export default async function ls(ctx: Context): Promise<number> {
  const { json, check } = ctx.parsed.global;
  const query = listQuery(ctx.parsed.options, Date.now());
  const api = await ctx.api();
  const reply = await api.raw('GET', `/submissions${query}`);
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
