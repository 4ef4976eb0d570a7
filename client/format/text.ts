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

/**
 * How a table fits a terminal: `width` (undefined: no limit) and the free-text columns that may be cut to
 * fit, by index, cut at their end ('end') or, for paths, at their start ('start'). Ids are never listed.
 */
export interface Fit {
  width: number | undefined;
  free: Readonly<Record<number, 'end' | 'start'>>;
}

/** The narrowest a free column is cut to: below this a cell says nothing, so the line wraps instead. */
const MIN_FREE = 12;

function cut(text: string, width: number, from: 'end' | 'start'): string {
  if (text.length <= width) return text;
  return from === 'end' ? `${text.slice(0, width - 1)}…` : `…${text.slice(text.length - width + 1)}`;
}

/** Cuts the widest free columns until the table fits fit.width (or they reach MIN_FREE). */
function fitTable(
  table: readonly (readonly string[])[],
  widths: number[],
  indent: string,
  gap: string,
  fit: Fit,
): readonly (readonly string[])[] {
  const limit = fit.width;
  if (limit === undefined) return table;
  const total = () => indent.length + widths.reduce((a, w) => a + w, 0) + gap.length * (widths.length - 1);
  let over = total() - limit;
  if (over <= 0) return table;
  const limits = new Map<number, number>();
  const free = Object.keys(fit.free)
    .map(Number)
    .filter((i) => i < widths.length)
    .sort((a, b) => (widths[b] as number) - (widths[a] as number));
  for (const i of free) {
    if (over <= 0) break;
    const w = widths[i] as number;
    const target = Math.max(MIN_FREE, w - over);
    if (target >= w) continue;
    limits.set(i, target);
    widths[i] = target;
    over = total() - limit;
  }
  if (limits.size === 0) return table;
  return table.map((row) =>
    row.map((cell, i) => {
      const max = limits.get(i);
      return max === undefined ? cell : cut(cell, max, fit.free[i] as 'end' | 'start');
    }),
  );
}

/** Columns padded to the widest cell; the last column is never padded. With `fit`, cut to the width. */
export function columns(table: readonly (readonly string[])[], indent = '', gap = '  ', fit?: Fit): string[] {
  const widths: number[] = [];
  for (const row of table) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  // A column empty in every row would only add a gap.
  const keep = widths.map((w) => w > 0);
  let rows = keep.every(Boolean) ? table : table.map((row) => row.filter((_, i) => keep[i]));
  let shift: Fit | undefined = fit;
  if (rows !== table) {
    // Free-column indices follow the columns that remain.
    const index = keep.map((k, i) => (k ? keep.slice(0, i).filter(Boolean).length : -1));
    if (fit) {
      const free: Record<number, 'end' | 'start'> = {};
      for (const [i, how] of Object.entries(fit.free)) {
        const j = index[Number(i)];
        if (j !== undefined && j >= 0) free[j] = how;
      }
      shift = { width: fit.width, free };
    }
    for (let i = widths.length - 1; i >= 0; i--) if (!keep[i]) widths.splice(i, 1);
  }
  if (shift) rows = fitTable(rows, widths, indent, gap, shift);
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

/** Written once for both sides (the agent groups tasks with it too). */
export { ranges } from '../../shared/task-groups.js';

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
