// emb-client pipeline apply FILE | status FILE: the agent reads the file's steps, submits those not yet
// submitted (each kept back until the steps it comes after are done), and shows each step's state.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PipelineReply } from '../../agent/pipeline/api.js';
import type { Context } from '../context.js';
import { submissionEnv } from '../env.js';
import { ClientError, EXIT, UsageError } from '../errors.js';
import { columns } from '../format/text.js';

export default async function pipeline(ctx: Context): Promise<number> {
  const [sub, file, ...rest] = ctx.parsed.positionals;
  if ((sub !== 'apply' && sub !== 'status') || file === undefined || rest.length)
    throw new UsageError('usage: emb-client pipeline apply FILE | emb-client pipeline status FILE');
  const where = path.resolve(ctx.cwd, file);
  let text: string;
  try {
    // Sync: node:fs is loaded already, fs/promises would load (in the bundle, at every start) for one read.
    text = readFileSync(where, 'utf8');
  } catch (err) {
    throw new ClientError(EXIT.usage, `cannot read the pipeline file ${where}: ${(err as Error).message}`);
  }
  const api = await ctx.api();
  const body = { text, dir: path.dirname(where), env: submissionEnv(ctx.env) };
  const reply = await api.post<PipelineReply>(`/pipelines/${sub}`, body);
  ctx.out(ctx.parsed.global.json ? `${JSON.stringify(reply)}\n` : render(reply, ctx.width));
  return EXIT.ok;
}

function stateOf(s: PipelineReply['steps'][number]): string {
  if (s.waiting) return `${s.waiting.state}${s.waiting.blocked ? ' (BLOCKED)' : ''}: ${s.waiting.reason}`;
  const counts = Object.entries(s.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  return counts.length ? counts.join(', ') : '-';
}

function render(r: PipelineReply, width?: number): string {
  const rows = r.steps.map((s) => [
    s.step,
    s.submissionId === null ? '-' : `#${s.submissionId}`,
    s.jobId ?? '-',
    s.action + (s.changed && s.action !== 'changed' ? ' (file changed)' : ''),
    s.after.length ? `after ${s.after.join(',')}` : '',
    stateOf(s),
  ]);
  const lines = [`pipeline ${r.pipeline}`, ...columns(rows, '  ', '  ', { width, free: { 5: 'end' } })];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}
