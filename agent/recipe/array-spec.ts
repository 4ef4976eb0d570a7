// Slurm --array specs: "0-9%2", "1,4,7-9", "0-15:4". Expanded to indices and written back compactly.
import { AgentError } from '../errors.js';

export interface ArraySpec {
  indices: number[];
  throttle: number | null;
}

/** Hard bound: Slurm's MaxArraySize defaults to 1001, sites raise it; beyond this is surely a typo. */
const MAX_INDICES = 1_000_000;

export function parseArraySpec(spec: string): ArraySpec {
  const bad = (why: string) =>
    new AgentError('AGENT_ERR_BAD_REQUEST', `--array=${spec}: ${why}`, { details: { spec } });
  const [list, throttleText, ...rest] = spec.split('%');
  if (rest.length || list === undefined || list === '')
    throw bad('expected e.g. 0-9, 1,4,7-9 or 0-15:4, with an optional %N');
  let throttle: number | null = null;
  if (throttleText !== undefined) {
    if (!/^\d+$/.test(throttleText)) throw bad(`throttle "%${throttleText}" is not a number`);
    throttle = Number(throttleText);
  }
  const set = new Set<number>();
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (!m) throw bad(`"${part}" is not an index, a range a-b or a stepped range a-b:s`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (to < from || step < 1) throw bad(`"${part}" is an empty range`);
    if (set.size + (to - from) / step > MAX_INDICES) throw bad('too many indices');
    for (let i = from; i <= to; i += step) set.add(i);
  }
  return { indices: [...set].sort((a, b) => a - b), throttle };
}

/** Writes indices as Slurm reads them: sorted, consecutive runs as ranges, e.g. "1,4,7-9%2". */
export function formatArraySpec(indices: readonly number[], throttle: number | null): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',') + (throttle === null ? '' : `%${throttle}`);
}
