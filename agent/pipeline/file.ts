// A pipeline file: a name and named steps, each with its sbatch arguments, markers and the steps it comes
// after. Parsed and checked here (every error names the step and the key), ordered so a step follows the
// steps it waits for; a cycle or an unknown name is refused before anything is submitted.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SubmitBodySchema } from '../api/schemas.js';
import { AgentError } from '../errors.js';
import { PreflightOptionsSchema } from '../preflight/options.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const nameRule = { message: 'letters, digits, ".", "_" and "-", at most 64, not starting with a sign' };

const StepSchema = z.strictObject({
  /** sbatch's arguments: options, then the script and its arguments. */
  sbatch: SubmitBodySchema.shape.args,
  /** The job's working directory: absolute, or relative to the pipeline's cwd. */
  cwd: z.string().min(1).optional(),
  after: z.array(z.string().regex(NAME, nameRule)).default([]),
  doneMarker: SubmitBodySchema.shape.doneMarker,
  progress: SubmitBodySchema.shape.progress,
  checkpointRegex: SubmitBodySchema.shape.checkpointRegex,
  maxAttempts: SubmitBodySchema.shape.maxAttempts,
  resume: SubmitBodySchema.shape.resume,
  preflight: PreflightOptionsSchema.optional(),
});

export const PipelineFileSchema = z.strictObject({
  pipeline: z.string().regex(NAME, nameRule),
  /** Where the steps run, absolute or relative to the file's folder; default: the file's folder. */
  cwd: z.string().min(1).optional(),
  steps: z
    .record(z.string().regex(NAME, nameRule), StepSchema)
    .refine((s) => Object.keys(s).length > 0, { message: 'a pipeline needs at least one step' }),
});

export type StepSpec = z.infer<typeof StepSchema>;

export interface PipelineStep {
  name: string;
  spec: StepSpec;
  /** The step's working directory, absolute. */
  cwd: string;
  /** sha256 of what the step asks for: a changed step is reported, never resubmitted. */
  digest: string;
}

export interface Pipeline {
  name: string;
  /** In an order where every step follows those it comes after. */
  steps: PipelineStep[];
}

function bad(message: string, details: Record<string, unknown>): AgentError {
  return new AgentError('AGENT_ERR_BAD_REQUEST', message, { details });
}

/** "step train: after[1]: ..." from a zod issue's path. */
function where(p: readonly PropertyKey[]): string {
  if (p[0] === 'steps' && p.length >= 2) {
    const rest = p
      .slice(2)
      .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
      .join('');
    return `step ${String(p[1])}${rest ? `: ${rest.replace(/^\./, '')}` : ''}`;
  }
  return p.length ? p.map(String).join('.') : 'the file';
}

/** Parses a pipeline file's text; `dir` is the file's folder (absolute), where relative paths hang off. */
export function parsePipeline(text: string, dir: string): Pipeline {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new AgentError(
      'AGENT_ERR_BAD_REQUEST',
      `the pipeline file is not valid YAML: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const r = PipelineFileSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${where(i.path)}: ${i.message}`);
    throw bad(`the pipeline file is not valid: ${lines.join('; ')}`, { issues: lines });
  }
  const file = r.data;
  const base = path.resolve(dir, file.cwd ?? '.');
  const names = Object.keys(file.steps);
  for (const [name, spec] of Object.entries(file.steps)) {
    spec.after.forEach((a, i) => {
      if (!(a in file.steps))
        throw bad(`step ${name}: after[${i}]: no step is named "${a}"`, { step: name, key: 'after' });
      if (a === name) throw bad(`step ${name}: after[${i}]: a step cannot wait for itself`, { step: name });
    });
  }
  const order = topological(names, (n) => file.steps[n]?.after ?? []);
  return {
    name: file.pipeline,
    steps: order.map((name) => {
      const spec = file.steps[name] as StepSpec;
      const cwd = path.resolve(base, spec.cwd ?? '.');
      return { name, spec, cwd, digest: digestOf(spec, cwd) };
    }),
  };
}

/** Steps ordered after their prerequisites, in file order otherwise; a cycle is refused with its steps. */
function topological(names: string[], after: (n: string) => string[]): string[] {
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, trail: string[]) => {
    const s = state.get(n);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(n)), n];
      throw bad(`step ${n}: after: the steps wait for each other in a circle (${cycle.join(' → ')})`, {
        step: n,
        cycle,
      });
    }
    state.set(n, 'visiting');
    for (const a of after(n)) visit(a, [...trail, n]);
    state.set(n, 'done');
    out.push(n);
  };
  for (const n of names) visit(n, []);
  return out;
}

/** Key order fixed, so the same step always gives the same digest. */
function digestOf(spec: StepSpec, cwd: string): string {
  const canonical = JSON.stringify([
    spec.sbatch,
    cwd,
    [...spec.after].sort(),
    spec.doneMarker ?? null,
    spec.progress ?? null,
    spec.checkpointRegex ?? null,
    spec.maxAttempts ?? null,
    spec.resume ?? null,
    spec.preflight ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
