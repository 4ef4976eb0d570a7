// Plain text for numbers and times; no DOM here, so unit tests run it under Node.

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** "2026-03-01 10:00:05" in the browser's time zone; "-" for none. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** States in the order a person wants them: what needs attention first. */
export const STATE_ORDER = [
  'failed',
  'exhausted',
  'stalled',
  'held',
  'resuming',
  'running',
  'queued',
  'done',
];

export function orderedCounts(counts: Record<string, number>): [string, number][] {
  const known = STATE_ORDER.filter((s) => (counts[s] ?? 0) > 0).map((s): [string, number] => [
    s,
    counts[s] ?? 0,
  ]);
  const other = Object.entries(counts).filter(([s, n]) => n > 0 && !STATE_ORDER.includes(s));
  return [...known, ...other];
}
