// emb-client submit [markers] -- <sbatch args>: the agent runs sbatch with them, here, with this environment.
import type { SubmitBody } from '../../agent/api/schemas.js';
import { intOption, stringOption } from '../args.js';
import type { Context } from '../context.js';
import { submissionEnv } from '../env.js';
import { EXIT, UsageError } from '../errors.js';

export default async function submit(ctx: Context): Promise<number> {
  const { options, positionals, passthrough } = ctx.parsed;
  const args = [...positionals, ...passthrough];
  if (args.length === 0) {
    throw new UsageError(
      'give the sbatch arguments after "--", e.g. emb-client submit -- --array=0-99%20 build_shards.sbatch',
    );
  }
  const body: SubmitBody = { args, cwd: ctx.cwd, env: submissionEnv(ctx.env) };
  const doneMarker = stringOption(options, 'done-marker');
  const progress = stringOption(options, 'progress');
  const checkpointRegex = stringOption(options, 'checkpoint-regex');
  const maxAttempts = intOption(options, 'max-attempts');
  if (doneMarker !== undefined) body.doneMarker = doneMarker;
  if (progress !== undefined) body.progress = progress;
  if (checkpointRegex !== undefined) {
    try {
      new RegExp(checkpointRegex);
    } catch (err) {
      throw new UsageError(`--checkpoint-regex is not a valid regular expression: ${(err as Error).message}`);
    }
    body.checkpointRegex = checkpointRegex;
  }
  if (maxAttempts !== undefined) body.maxAttempts = maxAttempts;
  if (options.has('no-resume')) body.resume = false;
  const api = await ctx.api();
  const reply = await api.post<{ submissionId: number; jobId: string }>('/submissions', body);
  ctx.out(
    ctx.parsed.global.json
      ? `${JSON.stringify(reply)}\n`
      : `submitted #${reply.submissionId} as job ${reply.jobId}\n`,
  );
  return EXIT.ok;
}
