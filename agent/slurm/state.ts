// Job states as squeue and sacct print them ("CANCELLED by 1234", "COMPLETING", "CANCELLED+"), normalised
// to SlurmState. The agent reads their text output only (why: adapter.ts).
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
