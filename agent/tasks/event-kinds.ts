// Every kind of event the agent records: one list, so the writer, the repository and the read model agree
// on the words (a kind matched by convention elsewhere would silently stop matching when renamed).
export const EVENT_KINDS = [
  // A task's life (agent/tasks/)
  'submission.created',
  'submission.adopted',
  'submit.lost',
  'task.state',
  'attempt.lost',
  'decision',
  'resume.budget',
  'resume.submitted',
  'resume.rejected',
  'resume.retry',
  'steering',
  'task.cancelled',
  'submission.archived',
  'submission.unarchived',
  'log.checkpoint',
  'log.end',
  'log.diagnosis',
  // A submission kept back until its prerequisites are done (agent/tasks/waits.ts)
  'wait.created',
  'wait.blocked',
  'wait.unblocked',
  'wait.released',
  'wait.refused',
  'wait.dropped',
  'pipeline.step',
  // The SAS token refresher (agent/tokens/)
  'token-dir-open',
  'token-expired',
  'token-recovered',
  'token-refresh-failing',
  'token-refresh-refused',
  'token-short-lifetime',
  // sbatch preflight (agent/preflight/): a submit's options, a fitted --time, a skipped check, a quota warning
  'preflight.options',
  'preflight.fit-time',
  'preflight.skipped',
  'preflight.warning',
  // A service reported a kind this list does not name (data.kind keeps its own word).
  'agent.other',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

const KNOWN = new Set<string>(EVENT_KINDS);

export function isEventKind(kind: string): kind is EventKind {
  return KNOWN.has(kind);
}
