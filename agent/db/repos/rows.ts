// Row shapes of the core tables, as the repositories return them (camelCase, booleans decoded).
import type { TaskState } from '../../api/schemas.js';
import type { EventKind } from '../../tasks/event-kinds.js';

export interface SubmissionRow {
  id: number;
  name: string | null;
  origin: 'submit' | 'adopt';
  args: string[];
  cwd: string;
  env: Record<string, string>;
  arraySpec: string | null;
  throttle: number | null;
  doneMarker: string | null;
  progress: string | null;
  checkpointRegex: string | null;
  maxAttempts: number | null;
  resume: boolean;
  held: boolean;
  recipeNotes: string[];
  firstJobId: string;
  createdAt: number;
  /** client: the submitting shell's environment; agent: the agent user's (a client on another host). */
  envFrom: 'client' | 'agent';
  /** Unix milliseconds when `emb-client archive` hid it from `ls`; null while listed. */
  archivedAt: number | null;
}

export interface TaskRow {
  id: number;
  submissionId: number;
  index: number;
  state: TaskState;
  held: boolean;
  attempts: number;
  latestJobId: string | null;
  reason: string | null;
  diagnosisCause: string | null;
  diagnosisHint: string | null;
  diagnosisLine: string | null;
  updatedAt: number;
}

export interface AttemptRow {
  id: number;
  taskId: number;
  jobId: string;
  arrayJobId: string;
  jobIdRaw: string | null;
  intentId: number | null;
  slurmState: string;
  stateDetail: string | null;
  exitCode: number | null;
  exitSignal: number | null;
  stdoutPath: string | null;
  stderrPath: string | null;
  submittedAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  ended: boolean;
  decided: boolean;
  /** The resume decision taken when it ended ('done', 'resume', ...); null before, or for a superseded one. */
  decision: string | null;
  decisionReason: string | null;
  /** Unix milliseconds, agent clock. */
  decidedAt: number | null;
  checkpointSeen: boolean;
  progressLines: number;
  createdAt: number;
  /** The node list as Slurm prints it; null until it ran, or when no source said. */
  node: string | null;
  /** Minutes; null for UNLIMITED or not known. */
  timeLimitMinutes: number | null;
}

export interface IntentRow {
  id: number;
  submissionId: number;
  kind: 'resume' | 'manual';
  indices: number[];
  args: string[];
  tag: string;
  state: 'pending' | 'confirmed' | 'failed';
  jobId: string | null;
  tries: number;
  nextTryAt: number | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EventRow {
  id: number;
  at: number;
  level: 'info' | 'warn' | 'error';
  kind: EventKind;
  submissionId: number | null;
  taskId: number | null;
  jobId: string | null;
  message: string;
  data: Record<string, unknown> | null;
}
