// The resume engine's decision about an ended attempt, stored with the attempt and shown as the task's state.
import type { TaskState } from '../api/schemas.js';
import type { AttemptRow, SubmissionRow, TaskRow } from '../db/repos/index.js';
import type { DiagnosisFields } from '../db/repos/tasks.js';
import type { TaskLife } from './life.js';

export interface Decided {
  /** done, resume, failed, stalled, exhausted or held (agent/resume/policy.ts). */
  decision: string;
  reason: string;
  /** The task's state that follows from it. */
  state: TaskState;
  level: 'info' | 'warn' | 'error';
  diagnosis: DiagnosisFields | null;
  /** What the decision was taken on, kept with its event. */
  facts: {
    checkpointSeen: boolean;
    progressMade: boolean | null;
    doneMarkerPresent: boolean | null;
  };
}

/** Records the decision: on the attempt (with what its log showed), as the task's state, and as an event. */
export function decided(life: TaskLife, sub: SubmissionRow, task: TaskRow, a: AttemptRow, d: Decided): void {
  const { repos } = life;
  life.atomically(() => {
    const now = life.clock.now();
    repos.attempts.setLogFacts(a.id, d.facts.checkpointSeen, a.progressLines);
    repos.attempts.markDecided(a.id, { decision: d.decision, reason: d.reason, at: now });
    repos.tasks.setState(task.id, d.state, d.reason, now);
    repos.tasks.setDiagnosis(task.id, d.diagnosis, now);
    life.record({
      level: d.level,
      kind: 'decision',
      submissionId: sub.id,
      taskId: task.id,
      jobId: a.jobId,
      message: `${a.jobId}: ${d.decision}: ${d.reason}`,
      data: {
        decision: d.decision,
        slurmState: a.slurmState,
        exitCode: a.exitCode,
        ...d.facts,
        diagnosis: d.diagnosis?.cause ?? null,
      },
    });
  });
}

/** An older attempt ended after a newer one began (adopted history): it needs no decision of its own. */
export function superseded(life: TaskLife, task: TaskRow, a: AttemptRow): void {
  life.atomically(() => {
    life.repos.attempts.markDecided(a.id);
    life.touched(task.submissionId);
  });
}
