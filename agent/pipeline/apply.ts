// `emb-client pipeline apply FILE` and `status FILE`: each step not yet known is recorded as a waiting
// submission with its step row in one transaction (so applying twice, or after a crash, submits once); the
// gate sends it when the steps it comes after are done. A step changed since it was applied is reported.
import type { SubmitBody } from '../api/schemas.js';
import { prepareSubmit, type SubmitDeps } from '../commands/submit.js';
import type { WaitGate } from './gate.js';
import { parsePipeline, type PipelineStep } from './file.js';
import type { PipelineBody, PipelineReply, PipelineStepReply } from './api.js';
import { pipelineStepApplied, pipelineSteps, submissionWaiting, waitOf } from '../tasks/waits.js';
import { waitingView } from './view.js';

export interface PipelinesDeps {
  submit: SubmitDeps;
  gate: WaitGate;
}

export class Pipelines {
  private readonly d: PipelinesDeps;
  /** Applies run one after another: two at once must not both find a step missing. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: PipelinesDeps) {
    this.d = deps;
  }

  apply(body: PipelineBody): Promise<PipelineReply> {
    const run = this.queue.then(() => this.applyNow(body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  status(body: Pick<PipelineBody, 'text' | 'dir'>): PipelineReply {
    const p = parsePipeline(body.text, body.dir);
    const known = pipelineSteps(this.d.submit.life, p.name);
    return {
      pipeline: p.name,
      steps: p.steps.map((s) => {
        const row = known.get(s.name);
        return this.stepReply(
          s,
          row?.submissionId ?? null,
          row ? 'sent' : 'not applied',
          row ? row.digest !== s.digest : false,
        );
      }),
      warnings: [],
    };
  }

  private async applyNow(body: PipelineBody): Promise<PipelineReply> {
    const { life } = this.d.submit;
    const p = parsePipeline(body.text, body.dir);
    const known = pipelineSteps(life, p.name);
    const ids = new Map<string, number>();
    const steps: PipelineStepReply[] = [];
    const warnings: string[] = [];
    // Every new step passes the site's rules before any is recorded: a refusal leaves nothing half-applied.
    for (const s of p.steps) {
      if (known.has(s.name)) continue;
      await this.d.gate.checkFirst(stepBody(s, body.env), `step ${s.name}: nothing was applied`);
    }
    for (const s of p.steps) {
      const row = known.get(s.name);
      if (row) {
        ids.set(s.name, row.submissionId);
        const changed = row.digest !== s.digest;
        if (changed)
          warnings.push(
            `step ${s.name} changed since it was applied as #${row.submissionId}: not resubmitted (give it a new name to submit it)`,
          );
        steps.push(this.stepReply(s, row.submissionId, changed ? 'changed' : 'unchanged', changed));
        continue;
      }
      const submitBody = stepBody(s, body.env);
      const { recipe, report } = await prepareSubmit(this.d.submit, submitBody);
      warnings.push(...report.warnings.map((w) => `step ${s.name}: ${w}`));
      const after = s.spec.after.map((a) => ids.get(a) as number);
      const id = submissionWaiting(life, recipe, submitBody, after, (submissionId) =>
        pipelineStepApplied(life, { pipeline: p.name, step: s.name, digest: s.digest, submissionId }),
      );
      ids.set(s.name, id);
      steps.push(this.stepReply(s, id, 'submitted', false));
    }
    this.d.gate.kick();
    return { pipeline: p.name, steps, warnings };
  }

  private stepReply(s: PipelineStep, id: number | null, action: string, changed: boolean): PipelineStepReply {
    const { repos } = this.d.submit.life;
    const base = { step: s.name, submissionId: id, changed, after: s.spec.after, counts: {} };
    if (id === null) return { ...base, action, jobId: null };
    const w = waitOf({ repos }, id);
    const sub = repos.submissions.get(id);
    const counts: Record<string, number> = {};
    for (const t of repos.tasks.bySubmission(id)) counts[t.state] = (counts[t.state] ?? 0) + 1;
    return {
      ...base,
      action: action === 'sent' && w && w.state !== 'sent' ? w.state : action,
      jobId: sub?.firstJobId ? sub.firstJobId : null,
      counts,
      ...(w && w.state !== 'sent' ? { waiting: waitingView(w) } : {}),
    };
  }
}

/** A step as a submit request: its sbatch arguments, folder and markers, and the client's environment. */
function stepBody(s: PipelineStep, env: SubmitBody['env']): SubmitBody {
  const { spec } = s;
  const body: SubmitBody = { args: spec.sbatch, cwd: s.cwd, env };
  if (spec.doneMarker !== undefined) body.doneMarker = spec.doneMarker;
  if (spec.progress !== undefined) body.progress = spec.progress;
  if (spec.checkpointRegex !== undefined) body.checkpointRegex = spec.checkpointRegex;
  if (spec.maxAttempts !== undefined) body.maxAttempts = spec.maxAttempts;
  if (spec.resume !== undefined) body.resume = spec.resume;
  if (spec.preflight !== undefined) body.preflight = spec.preflight;
  return body;
}
