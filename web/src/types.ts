// The API's shapes as far as the page reads them (agent/api/*.ts has the full schemas; the page is compiled
// on its own, without zod, so it restates the fields it uses).

export interface Diagnosis {
  cause: string;
  hint: string;
  line?: string;
}

export interface Task {
  index: number;
  state: string;
  attempts: number;
  jobId: string | null;
  diagnosis: Diagnosis | null;
  reason: string | null;
  held: boolean;
  updatedAt: string;
}

export interface Submission {
  id: number;
  name: string | null;
  jobId: string;
  held: boolean;
  createdAt: string;
  counts: Record<string, number>;
  tasks: Task[];
  /** A submission kept back by --after or a pipeline: jobId is '' until it is sent. */
  waiting?: { state: string; reason: string; blocked: boolean };
}

export interface Attempt {
  jobId: string;
  slurmState: string;
  exitCode: number | null;
  exitSignal: number | null;
  startedAt: string | null;
  endedAt: string | null;
  submittedAt: string | null;
  checkpointSeen: boolean;
  decision: string | null;
}

export interface SubmissionDetail extends Omit<Submission, 'tasks'> {
  tasks: (Task & { history: Attempt[] })[];
}

export interface ApiEvent {
  id: number;
  at: string;
  level: 'info' | 'warn' | 'error';
  kind: string;
  submissionId: number | null;
  jobId: string | null;
  message: string;
}

export interface ShardStatus {
  dir: string;
  missing: boolean;
  error: string | null;
  count: number;
  bytes: number;
  bytesPending: number;
  target: number | null;
  ratePerHour: number | null;
  etaSeconds: number | null;
  lastScanAt: string | null;
  lastChangeAt: string | null;
}

export interface ShardHistory {
  dir: string;
  from: string;
  to: string;
  samples: number;
  points: { at: string; count: number; bytes: number }[];
}

export interface TokenStatus {
  collection: string;
  state: string;
  expiry: string | null;
  secondsLeft: number | null;
  lastRefreshAt: string | null;
  nextRefreshAt: string | null;
  lastError: string | null;
  inFlight: boolean;
}

export interface Health {
  version: string;
  host: string;
}
