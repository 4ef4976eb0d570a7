// Slurm job ids as the commands print them: "1234", "1234_7", "1234_[8-15%4]", "1234_[1,4,7-9]",
// "1234+0" (het job component), and array index expressions ("1-199:2%4", or a hex bitmap "0x3C").

/** Slurm's own ceiling (MaxArraySize is at most 4000001); anything larger is garbage, not an array. */
const MAX_INDEX = 4_000_000;

export interface TaskSpec {
  indices: number[];
  /** The %N throttle, when present. */
  throttle: number | null;
}

/**
 * Expands an array index expression: "8-15%4", "1,4,7-9", "1-199:2" (Slurm prints regular sparse sets
 * with a step) or sacct JSON's hex bitmap "0x3C" (bits 2..5). Returns null when it is not one.
 */
export function expandTaskSpec(spec: string): TaskSpec | null {
  const text = spec.trim();
  if (/^0x[0-9a-f]+$/i.test(text)) {
    // Bounded like a range: a bitmap longer than MAX_INDEX bits is garbage, not an array.
    const hex = text.slice(2).replace(/^0+/, '');
    if (hex.length * 4 > MAX_INDEX + 4) return null;
    return { indices: bitmapIndices(hex), throttle: null };
  }
  const m = /^([0-9,:\- ]+?)(?:%(\d+))?$/.exec(text);
  if (!m || m[1] === undefined) return null;
  const throttle = m[2] === undefined ? null : Number(m[2]);
  const out = new Set<number>();
  for (const part of m[1].split(',')) {
    const r = /^\s*(\d+)(?:-(\d+)(?::(\d+))?)?\s*$/.exec(part);
    if (!r || r[1] === undefined) return null;
    const from = Number(r[1]);
    const to = r[2] === undefined ? from : Number(r[2]);
    const step = r[3] === undefined ? 1 : Number(r[3]);
    if (to < from || step < 1 || to > MAX_INDEX) return null;
    for (let i = from; i <= to; i += step) out.add(i);
  }
  return { indices: [...out].sort((a, b) => a - b), throttle };
}

/** Indices of the set bits of a hex bitmap, least significant bit = index 0. */
function bitmapIndices(hex: string): number[] {
  const out: number[] = [];
  for (let d = 0; d < hex.length; d++) {
    const nibble = parseInt(hex[hex.length - 1 - d] ?? '0', 16);
    for (let b = 0; b < 4; b++) if (nibble & (1 << b)) out.push(d * 4 + b);
  }
  return out;
}

export type ParsedJobId =
  | { kind: 'job'; jobId: string; baseId: string }
  | { kind: 'task'; jobId: string; baseId: string; taskId: number }
  | { kind: 'remainder'; baseId: string; spec: TaskSpec }
  | { kind: 'het'; jobId: string; baseId: string; offset: number }
  | { kind: 'step'; jobId: string; baseId: string };

/** Parses a JobID as sacct and squeue print it; null when it is not one. */
export function parseJobId(text: string): ParsedJobId | null {
  const id = text.trim();
  let m = /^(\d+)$/.exec(id);
  if (m?.[1] !== undefined) return { kind: 'job', jobId: id, baseId: m[1] };
  m = /^(\d+)_(\d+)$/.exec(id);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    return { kind: 'task', jobId: id, baseId: m[1], taskId: Number(m[2]) };
  }
  m = /^(\d+)_\[([^\]]+)\]$/.exec(id);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    const spec = expandTaskSpec(m[2]);
    return spec === null ? null : { kind: 'remainder', baseId: m[1], spec };
  }
  m = /^(\d+)\+(\d+)$/.exec(id);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    return { kind: 'het', jobId: id, baseId: m[1], offset: Number(m[2]) };
  }
  m = /^(\d+)(?:_\d+|_\[[^\]]*\]|\+\d+)?\.[\w+-]+$/.exec(id);
  if (m?.[1] !== undefined) return { kind: 'step', jobId: id, baseId: m[1] };
  return null;
}

/** What the agent may pass to -j/scancel: "1234", "1234_7" or "1234+0". */
export const JOB_ID_ARG = /^\d+(?:_\d+|\+\d+)?$/;
