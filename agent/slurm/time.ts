// Times and durations as Slurm's text output prints them.
//
// The adapter runs squeue and sacct with SLURM_TIME_FORMAT=%s, so timestamps arrive as Unix seconds and
// no time zone is involved. Without it (recorded fixtures, a site wrapper) Slurm prints
// "2026-11-28T12:00:00" in the LOCAL time zone of the process that ran the command; that form is parsed
// as local time of this process, which is right when the agent and the command share TZ (they do: the
// command inherits the agent's environment). Around a DST change such a local time can be ambiguous;
// epoch seconds avoid that, which is why the adapter asks for them.

/** Values Slurm prints for "no time": never started, not ended, not set. */
const NO_TIME = new Set(['', 'unknown', 'none', 'n/a', 'not_set', 'invalid']);

/** Unix seconds, or null for "no time". Returns undefined when the text is not a time at all. */
export function parseSlurmTime(text: string): number | null | undefined {
  const t = text.trim();
  if (NO_TIME.has(t.toLowerCase())) return null;
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n === 0 ? null : n;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(t);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = new Date(y, mo - 1, d, h, mi, s).getTime();
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Limits that mean "no limit of the job's own". */
const NO_LIMIT = new Set(['', 'unlimited', 'partition_limit', 'not_set', 'infinite', 'none', 'invalid']);

/** sacct TimelimitRaw: minutes, or UNLIMITED / Partition_Limit -> null. undefined when not a limit. */
export function parseLimitMinutes(text: string): number | null | undefined {
  const t = text.trim();
  if (NO_LIMIT.has(t.toLowerCase())) return null;
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

/**
 * squeue's "[days-][hours:]minutes:seconds" (TimeLimit, TimeUsed) in seconds; UNLIMITED, NOT_SET,
 * INVALID -> null. undefined when it is not a duration.
 */
export function parseDuration(text: string): number | null | undefined {
  const t = text.trim();
  if (NO_LIMIT.has(t.toLowerCase())) return null;
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(t);
  if (!m) return /^\d+$/.test(t) ? Number(t) * 60 : undefined;
  const [days, hours, minutes, seconds] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [
    number,
    number,
    number,
    number,
  ];
  return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
}

/** A non-negative integer field such as ElapsedRaw; '' -> null, undefined when not a number. */
export function parseCount(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  return /^\d+$/.test(t) ? Number(t) : undefined;
}
