// emb-client submit [markers] -- <sbatch args>: the agent runs sbatch with them, here, with this environment.
import type { SubmitBody } from '../../agent/api/schemas.js';
import type { Context } from '../context.js';
import { submissionEnv } from '../env.js';
import { EXIT, UsageError } from '../errors.js';
import { markerBody, markerLines, type MarkerReport } from './markers.js';
import { intOption, stringOption, type Parsed } from '../args.js';

export default async function submit(ctx: Context): Promise<number> {
  const { options, positionals, passthrough } = ctx.parsed;
  const args = [...positionals, ...passthrough];
  if (args.length === 0) {
    throw new UsageError(
      'give the sbatch arguments after "--", e.g. emb-client submit -- --array=0-99%20 build_shards.sbatch',
    );
  }
  const body: SubmitBody = { args, cwd: ctx.cwd, env: submissionEnv(ctx.env), ...markerBody(options) };
  const preflight = preflightBody(options);
  if (preflight) body.preflight = preflight;
  const api = await ctx.api();
  const reply = await api.post<{ submissionId: number | null; jobId: string } & MarkerReport>(
    '/submissions',
    body,
  );
  // null: the job runs, but the agent could not record it (the warning says why).
  const what = reply.submissionId === null ? 'submitted (NOT TRACKED)' : `submitted #${reply.submissionId}`;
  ctx.out(
    ctx.parsed.global.json
      ? `${JSON.stringify(reply)}\n`
      : [`${what} as job ${reply.jobId}`, ...markerLines(reply), ''].join('\n'),
  );
  return EXIT.ok;
}

/** --no-preflight REASON, --fit-time and --target N, as the agent takes them (undefined: none given). */
function preflightBody(options: Parsed['options']): SubmitBody['preflight'] {
  const skip = stringOption(options, 'no-preflight');
  const target = intOption(options, 'target');
  if (skip !== undefined && skip.trim() === '')
    throw new UsageError('--no-preflight needs a reason, e.g. --no-preflight "the admins raised my limit"');
  if (target !== undefined && !options.has('fit-time')) throw new UsageError('--target is for --fit-time');
  const body: NonNullable<SubmitBody['preflight']> = {};
  if (skip !== undefined) body.skip = skip;
  if (options.has('fit-time')) body.fitTime = true;
  if (target !== undefined) body.target = target;
  return Object.keys(body).length ? body : undefined;
}
