// emb-client submit [markers] -- <sbatch args>: the agent runs sbatch with them, here, with this environment.
import os from 'node:os';
import path from 'node:path';
import type { SubmitBody } from '../../agent/api/schemas.js';
import type { Api } from '../api.js';
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
  const chdir = stringOption(options, 'chdir');
  const api = await ctx.api();
  const here = { host: os.hostname(), uid: process.getuid?.() ?? -1 };
  const elsewhere = await agentElsewhere(api, here);
  let body: SubmitBody;
  if (elsewhere === null) {
    const cwd = chdir === undefined ? ctx.cwd : path.resolve(ctx.cwd, chdir);
    body = { args, cwd, env: submissionEnv(ctx.env), client: here, ...markerBody(options) };
  } else {
    // This shell's folder and environment mean nothing there (a laptop's HOME, USER, PATH).
    if (chdir === undefined || !path.isAbsolute(chdir)) {
      throw new UsageError(
        `this client runs on ${here.host}, not as the agent's user on ${elsewhere}: the job cannot start in this folder or with this environment there.\n` +
          `  Name its folder on ${elsewhere} with --chdir DIR (an absolute path); it gets the agent user's environment, e.g.\n` +
          `  emb-client submit --chdir /cluster/work/users/$USER/run -- job.sbatch`,
      );
    }
    body = { args, cwd: chdir, client: here, ...markerBody(options) };
  }
  const preflight = preflightBody(options);
  if (preflight) body.preflight = preflight;
  const after = afterTargets(options);
  if (after) body.after = after;
  const reply = await api.post<
    {
      submissionId: number | null;
      jobId: string;
      environment?: 'client' | 'agent';
      waiting?: { reason: string };
    } & MarkerReport
  >('/submissions', body);
  // null: the job runs, but the agent could not record it (the warning says why).
  const what = reply.submissionId === null ? 'submitted (NOT TRACKED)' : `submitted #${reply.submissionId}`;
  ctx.out(
    ctx.parsed.global.json
      ? `${JSON.stringify(reply)}\n`
      : [
          reply.waiting ? `${what}: kept back, ${reply.waiting.reason}` : `${what} as job ${reply.jobId}`,
          ...(reply.environment === 'agent'
            ? [`environment: the agent user's on ${elsewhere ?? 'its host'}`]
            : []),
          ...markerLines(reply),
          '',
        ].join('\n'),
  );
  return EXIT.ok;
}

/**
 * null when this client is on the agent's host as its user (a unix socket is only ever that); else the
 * agent's host, from /health. An agent that does not give its uid is taken at its hostname.
 */
async function agentElsewhere(api: Api, here: { host: string; uid: number }): Promise<string | null> {
  if (api.transport === 'unix') return null;
  const h = await api.get<{ host: string; uid?: number }>('/health');
  return h.host === here.host && (h.uid === undefined || h.uid === here.uid) ? null : h.host;
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

/** --after X[,Y...]: submissions (any of their job ids, or #N) whose every task must be done first. */
function afterTargets(options: Parsed['options']): string[] | undefined {
  const given = stringOption(options, 'after');
  if (given === undefined) return undefined;
  const list = given
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  const bad = list.find((x) => !/^([1-9]\d{0,9}(_(0|[1-9]\d{0,6}))?|#[1-9]\d{0,15})$/.test(x));
  if (!list.length || bad !== undefined)
    throw new UsageError(
      `--after takes job ids or #SUBMISSION, comma-separated (e.g. --after 1234,#12)${bad ? `: not "${bad}"` : ''}`,
    );
  return list;
}
