// Job states from text ("CANCELLED by 1234", "COMPLETING") and from JSON (a string up to 23.02, a list of
// flags from 23.11: ["PENDING"], ["CANCELLED","COMPLETING"]), normalised to SlurmState.
import type { SlurmState } from './types.js';

const BASE_STATES = new Set<string>([
  'PENDING',
  'RUNNING',
  'SUSPENDED',
  'COMPLETED',
  'CANCELLED',
  'FAILED',
  'TIMEOUT',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'OUT_OF_MEMORY',
]);

/** Flag names that text output prints instead of the base state (Slurm's job_state_string order). */
const FLAG_PRIORITY = [
  'STAGE_OUT',
  'COMPLETING',
  'CONFIGURING',
  'RESIZING',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'SPECIAL_EXIT',
  'STOPPED',
  'REVOKED',
  'RESV_DEL_HOLD',
  'SIGNALING',
];

/** Text states that are not SlurmState names, mapped to the nearest one (the text becomes the detail). */
const ALIASES: Record<string, SlurmState> = {
  STAGE_OUT: 'COMPLETING',
  REQUEUE_FED: 'REQUEUED',
  REQUEUE_HOLD: 'REQUEUED',
  STOPPED: 'RUNNING',
  SIGNALING: 'RUNNING',
  RESV_DEL_HOLD: 'PENDING',
  LAUNCH_FAILED: 'FAILED',
};

const KNOWN = new Set<string>([
  ...BASE_STATES,
  'COMPLETING',
  'CONFIGURING',
  'REQUEUED',
  'RESIZING',
  'REVOKED',
  'SPECIAL_EXIT',
]);

export interface NormalisedState {
  state: SlurmState;
  detail: string | null;
}

/** "CANCELLED by 1234" -> CANCELLED + "by 1234"; "CANCELLED+" (a truncated column) -> CANCELLED. */
export function parseStateText(text: string): NormalisedState {
  const trimmed = text.trim();
  const space = trimmed.indexOf(' ');
  const word = (space < 0 ? trimmed : trimmed.slice(0, space)).replace(/\+$/, '').toUpperCase();
  const rest = space < 0 ? null : trimmed.slice(space + 1).trim() || null;
  if (KNOWN.has(word)) return { state: word as SlurmState, detail: rest };
  const alias = ALIASES[word];
  if (alias !== undefined) return { state: alias, detail: rest === null ? word : `${word} ${rest}` };
  return { state: 'UNKNOWN', detail: trimmed || null };
}

/** A JSON job state: a string (up to 23.02) or a list of a base state and flags (23.11+). */
export function parseStateJson(value: string | string[]): NormalisedState {
  if (typeof value === 'string') return parseStateText(value);
  const names = value.map((v) => v.trim().toUpperCase());
  const flag = FLAG_PRIORITY.find((f) => names.includes(f));
  const base = names.find((n) => BASE_STATES.has(n)) ?? null;
  if (flag !== undefined) {
    const shown = parseStateText(flag);
    // Keep the base state visible: COMPLETING of a TIMEOUT job is not COMPLETING of a COMPLETED one.
    const detail = [shown.detail, base].filter((d): d is string => d !== null).join(' ') || null;
    return { state: shown.state, detail };
  }
  if (base !== null) return { state: base as SlurmState, detail: null };
  return { state: 'UNKNOWN', detail: names.join(',') || null };
}
