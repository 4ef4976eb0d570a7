// sbatch's --time values as minutes and back: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S" (sbatch(1)).
// Seconds round up to a whole minute, as Slurm does when it stores the limit.

/** Minutes for an sbatch --time value; null for UNLIMITED/INFINITE; undefined when it is not a time. */
export function parseTimeSpec(text: string): number | null | undefined {
  const t = text.trim();
  if (/^(unlimited|infinite)$/i.test(t)) return null;
  let m = /^(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(t);
  if (m) {
    const [d, h, mi, s] = [m[1], m[2], m[3], m[4]].map((v) => (v === undefined ? 0 : Number(v))) as number[];
    return ((d as number) * 24 + (h as number)) * 60 + (mi as number) + Math.ceil((s as number) / 60);
  }
  m = /^(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(t);
  if (!m) return undefined;
  const parts = [m[1], m[2], m[3]].filter((v): v is string => v !== undefined).map(Number);
  if (parts.length === 1) return parts[0] as number;
  if (parts.length === 2) return (parts[0] as number) + Math.ceil((parts[1] as number) / 60);
  return (parts[0] as number) * 60 + (parts[1] as number) + Math.ceil((parts[2] as number) / 60);
}

/** Minutes as "D-HH:MM:00", the form sbatch and the users' guide both write. */
export function formatTimeSpec(minutes: number): string {
  const whole = Math.max(0, Math.ceil(minutes));
  const d = Math.floor(whole / 1440);
  const h = Math.floor((whole % 1440) / 60);
  const m = whole % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d}-${two(h)}:${two(m)}:00`;
}
