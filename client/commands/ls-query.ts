// ls --state S --name N --since T --all as the list route's query string; T is turned into an ISO time here,
// against this machine's clock, so the agent takes one form only.
import { stringOption } from '../args.js';
import { UsageError } from '../errors.js';
import { STATES as TASK_STATES } from '../format/text.js';

// The task states, and `waiting`: a submission kept back (--after, a pipeline) that is not sent yet.
const STATES: readonly string[] = [...TASK_STATES, 'waiting'];
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "2h", "3d", "1w", "30m" ago; "2026-12-01" (local midnight); or an ISO time. */
export function sinceIso(text: string, now: number): string {
  const rel = /^([1-9][0-9]{0,5})([mhdw])$/.exec(text);
  if (rel) return new Date(now - Number(rel[1]) * (UNIT_MS[rel[2] as string] as number)).toISOString();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).getTime() : Date.parse(text);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new UsageError(
      `--since expects 30m, 2h, 3d, 1w, a date (2026-12-01) or an ISO time, got "${text}"`,
    );
  }
  return new Date(ms).toISOString();
}

export function listQuery(options: Map<string, string | true>, now: number): string {
  const q = new URLSearchParams();
  const state = stringOption(options, 'state');
  if (state !== undefined) {
    if (!STATES.includes(state))
      throw new UsageError(`--state expects one of ${STATES.join(', ')}, got "${state}"`);
    q.set('state', state);
  }
  const name = stringOption(options, 'name');
  if (name !== undefined) q.set('name', name);
  const since = stringOption(options, 'since');
  if (since !== undefined) q.set('since', sinceIso(since, now));
  if (options.has('all')) q.set('all', 'true');
  const text = q.toString();
  return text ? `?${text}` : '';
}
