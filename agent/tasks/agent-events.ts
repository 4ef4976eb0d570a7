// Events other services report for users to see (the SAS token refresher, sbatch preflight), written by the
// one writer.
import type { TaskLife } from './life.js';
import { isEventKind } from './event-kinds.js';

export interface ServiceEvent {
  level: 'info' | 'warn' | 'error';
  kind: string;
  message: string;
  submissionId?: number;
  data?: Record<string, unknown>;
}

/** Records a service's event; a kind agent/tasks/event-kinds.ts does not list is kept as 'agent.other'. */
export function noted(life: TaskLife, e: ServiceEvent): void {
  life.atomically(() => {
    if (isEventKind(e.kind)) life.record({ ...e, kind: e.kind });
    else life.record({ ...e, kind: 'agent.other', data: { ...e.data, kind: e.kind } });
  });
}
