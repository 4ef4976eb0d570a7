// emb-client adopt JOBID: track a job submitted by hand, recovering its recipe from the scheduler.
import type { Context } from '../context.js';
import { submissionEnv } from '../env.js';
import { EXIT, UsageError } from '../errors.js';
import { markerBody, markerLines, type MarkerReport } from './markers.js';

interface AdoptReply extends MarkerReport {
  submissionId: number;
  jobId: string;
  tasks: number;
  notes: string[];
}

export default async function adopt(ctx: Context): Promise<number> {
  const [jobId, ...extra] = ctx.parsed.positionals;
  if (jobId === undefined || extra.length || !/^\d+$/.test(jobId)) {
    throw new UsageError(
      'adopt takes one Slurm job id, e.g. emb-client adopt 1234 (for an array, its array job id)',
    );
  }
  const api = await ctx.api();
  // Slurm does not keep the submitting environment: this one stands in for resubmissions.
  const r = await api.post<AdoptReply>('/adopt', {
    jobId,
    env: submissionEnv(ctx.env),
    ...markerBody(ctx.parsed.options),
  });
  if (ctx.parsed.global.json) ctx.out(`${JSON.stringify(r)}\n`);
  else {
    const lines = [
      `adopted job ${r.jobId} as #${r.submissionId} (${r.tasks} task${r.tasks === 1 ? '' : 's'})`,
    ];
    // Warnings are among the notes too (the recipe keeps them): print them once, as warnings.
    for (const n of r.notes) if (!r.warnings.includes(n)) lines.push(`  note: ${n}`);
    lines.push(...markerLines(r));
    ctx.out(`${lines.join('\n')}\n`);
  }
  return EXIT.ok;
}
