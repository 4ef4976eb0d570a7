// Row → API shape conversions for the read model. Secrets are scrubbed here, as everything below reaches a body.
import { TASK_STATES, type ApiEvent, type Submission, type Task } from '../api/schemas.js';
import type { z } from 'zod';
import type { AttemptSchema } from '../api/schemas.js';
import type { AttemptRow, EventRow, SubmissionRow, TaskRow } from '../db/repos/rows.js';
import { resolveMarkers } from '../commands/markers.js';
import { scrubSecrets } from '../log.js';

export type ApiAttempt = z.infer<typeof AttemptSchema>;

/** created_at, updated_at and events.at are unix milliseconds. */
export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** attempts.submitted_at/started_at/ended_at come from the scheduler in unix seconds. */
export function isoFromSeconds(s: number | null): string | null {
  return s === null ? null : new Date(s * 1000).toISOString();
}

function scrubOrNull(text: string | null): string | null {
  return text === null ? null : scrubSecrets(text);
}

export function taskView(t: TaskRow): Task {
  return {
    index: t.index,
    state: t.state,
    attempts: t.attempts,
    jobId: t.latestJobId,
    diagnosis:
      t.diagnosisCause === null
        ? null
        : t.diagnosisLine === null
          ? { cause: t.diagnosisCause, hint: scrubSecrets(t.diagnosisHint ?? '') }
          : {
              cause: t.diagnosisCause,
              hint: scrubSecrets(t.diagnosisHint ?? ''),
              line: scrubSecrets(t.diagnosisLine),
            },
    reason: scrubOrNull(t.reason),
    held: t.held,
    updatedAt: isoFromMs(t.updatedAt),
  };
}

/** Task counts per state; every state is present so the shape does not depend on the data. */
export function countStates(tasks: readonly { state: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of TASK_STATES) counts[s] = 0;
  for (const t of tasks) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return counts;
}

export function submissionView<T extends Task>(
  s: SubmissionRow,
  tasks: T[],
): Omit<Submission, 'tasks'> & { tasks: T[] } {
  return {
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
    counts: countStates(tasks),
    tasks,
  };
}

export function attemptView(a: AttemptRow): ApiAttempt {
  return {
    jobId: a.jobId,
    slurmState: a.slurmState,
    stateDetail: scrubOrNull(a.stateDetail),
    exitCode: a.exitCode,
    exitSignal: a.exitSignal,
    submittedAt: isoFromSeconds(a.submittedAt),
    // Rows written by older builds may hold squeue's projected times: only facts are shown.
    startedAt: a.slurmState === 'PENDING' ? null : isoFromSeconds(a.startedAt),
    endedAt: a.ended ? isoFromSeconds(a.endedAt) : null,
    stdoutPath: a.stdoutPath,
    checkpointSeen: a.checkpointSeen,
    decision: null,
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
