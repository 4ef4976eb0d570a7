// Plain-text helpers: aligned columns, short times, ranges of numbers.
import type { TaskState } from '../../agent/api/schemas.js';

/** The task states in the order people read them (kept equal to the API's list by the type below). */
export const STATES = [
  'queued',
  'running',
  'resuming',
  'done',
  'failed',
  'stalled',
  'exhausted',
  'held',
] as const;
type Missing = Exclude<TaskState, (typeof STATES)[number]>;
const _allStates: Missing extends never ? true : Missing = true;
void _allStates;

/** Columns padded to the widest cell; the last column is never padded. */
export function columns(table: readonly (readonly string[])[], indent = '', gap = '  '): string[] {
  const widths: number[] = [];
  for (const row of table) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  // A column empty in every row would only add a gap.
  const keep = widths.map((w) => w > 0);
  const rows = keep.every(Boolean) ? table : table.map((row) => row.filter((_, i) => keep[i]));
  if (rows !== table) for (let i = widths.length - 1; i >= 0; i--) if (!keep[i]) widths.splice(i, 1);
  return rows.map((row) => {
    let lastFilled = row.length - 1;
    while (lastFilled > 0 && row[lastFilled] === '') lastFilled--;
    const cells = row
      .slice(0, lastFilled + 1)
      .map((c, i) => (i === lastFilled ? c : c.padEnd(widths[i] ?? 0)));
    return indent + cells.join(gap);
  });
}

/** "2025-03-01 10:00:09" in UTC, or "-". */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** "0-3,7,9-10" for sorted numbers. */
export function ranges(nums: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && (nums[j + 1] as number) === (nums[j] as number) + 1) j++;
    out.push(j === i ? String(nums[i]) : `${nums[i]}-${nums[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "8 done, 2 running, 1 failed": the non-zero counts, in reading order. */
export function countsLine(counts: Record<string, number>): string {
  const parts: string[] = [];
  for (const s of STATES) if (counts[s]) parts.push(`${counts[s]} ${s}`);
  for (const [s, n] of Object.entries(counts))
    if (n && !(STATES as readonly string[]).includes(s)) parts.push(`${n} ${s}`);
  return parts.join(', ') || 'no tasks';
}
