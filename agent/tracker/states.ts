// How a Slurm state maps onto the task states users see while an attempt is live.
import type { TaskState } from '../api/schemas.js';
import { TERMINAL_STATES, type SlurmState } from '../slurm/types.js';

export function isTerminal(state: string): boolean {
  return TERMINAL_STATES.has(state as SlurmState);
}

/** The task state for a live (not yet ended) attempt in this Slurm state. */
export function liveTaskState(state: string): TaskState {
  return state === 'PENDING' || state === 'REQUEUED' ? 'queued' : 'running';
}
