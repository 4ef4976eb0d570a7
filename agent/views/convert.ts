// Row → API shape conversions for the read model. Secrets are scrubbed here, as everything below reaches a body.
import { TASK_STATES, type ApiEvent, type Submission, type Task, type Waiting } from '../api/schemas.js';
import type { z } from 'zod';
import type { AttemptSchema } from '../api/schemas.js';
import type { EventRow, SubmissionRow } from '../db/repos/rows.js';
import { resolveMarkers } from '../commands/markers.js';
import { scrubSecrets } from '../log.js';

export type ApiAttempt = z.infer<typeof AttemptSchema>;

/** created_at, updated_at and events.at are unix milliseconds. */
function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** Task counts per state; every state is present so the shape does not depend on the data. */
function countStates(tasks: readonly { state: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of TASK_STATES) counts[s] = 0;
  for (const t of tasks) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return counts;
}

/** `waiting`: the submission's wait (submit --after, a pipeline step), shown until it is sent. */
export function submissionView<T extends Task>(
  s: SubmissionRow,
  tasks: T[],
  waiting?: Waiting,
): Omit<Submission, 'tasks'> & { tasks: T[] } {
  return {
    ...(waiting && waiting.state !== 'sent' ? { waiting } : {}),
    id: s.id,
    name: s.name,
    origin: s.origin,
    jobId: s.firstJobId,
    cwd: s.cwd,
    // The environment is never shown: it may hold keys. Arguments may carry a signed URL, so they are scrubbed.
    args: s.args.map(scrubSecrets),
    arraySpec: s.arraySpec,
    throttle: s.throttle,
    markers: {
      doneMarker: s.doneMarker,
      progress: s.progress,
      checkpointRegex: s.checkpointRegex,
      maxAttempts: s.maxAttempts,
      resume: s.resume,
      resolved: resolveMarkers(s.cwd, s),
    },
    held: s.held,
    recipeNotes: s.recipeNotes.map(scrubSecrets),
    createdAt: isoFromMs(s.createdAt),
    environment: s.envFrom,
    ...(s.archivedAt === null ? {} : { archivedAt: isoFromMs(s.archivedAt) }),
    counts: countStates(tasks),
    tasks,
  };
}

export function eventView(e: EventRow): ApiEvent {
  return {
    id: e.id,
    at: isoFromMs(e.at),
    level: e.level,
    kind: e.kind,
    submissionId: e.submissionId,
    taskId: e.taskId,
    jobId: e.jobId,
    message: e.message,
    data: e.data,
  };
}
