// emb-client __complete targets|jobs|contexts: words for the completion scripts, one per line. Whatever goes
// wrong (no agent, no token, no config) prints nothing: a shell's Tab must never show an error or wait long.
import type { Submission } from '../../agent/api/schemas.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';

/** Long enough for an agent on a busy login node, short enough for a Tab key. */
const TIMEOUT_MS = 2_000;

export function targetWords(subs: readonly Submission[], jobsOnly: boolean): string[] {
  const out = new Set<string>();
  for (const s of subs) {
    if (!jobsOnly) out.add(`#${s.id}`);
    out.add(s.jobId);
    if (!jobsOnly) for (const t of s.tasks) if (t.jobId !== null) out.add(t.jobId);
  }
  return [...out];
}

async function words(ctx: Context, kind: string | undefined): Promise<string[]> {
  if (kind === 'contexts') {
    const { readContexts } = await import('../contexts.js');
    return Object.keys((await readContexts(ctx.parsed.global, ctx.env)).contexts);
  }
  if (kind !== 'targets' && kind !== 'jobs') return [];
  const [{ Api }, { resolveConnection }] = await Promise.all([
    import('../api.js'),
    import('../connection.js'),
  ]);
  const api = new Api(await resolveConnection(ctx.parsed.global, ctx.env), { timeoutMs: TIMEOUT_MS });
  const subs = await api.get<Submission[]>('/submissions');
  return Array.isArray(subs) ? targetWords(subs, kind === 'jobs') : [];
}

export default async function complete(ctx: Context): Promise<number> {
  try {
    const list = await words(ctx, ctx.parsed.positionals[0]);
    if (list.length) ctx.out(`${list.join('\n')}\n`);
  } catch (err) {
    // Completion is a convenience: an agent that is down or a missing token means no suggestions, no noise.
    void err;
  }
  return EXIT.ok;
}
