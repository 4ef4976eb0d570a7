// Attempts: each Slurm job (array task) that ran a task, with what the scheduler and the log told us.
import type { Database, Statement } from 'better-sqlite3';
import type { AttemptRow } from './rows.js';

interface Raw {
  id: number;
  task_id: number;
  job_id: string;
  array_job_id: string;
  job_id_raw: string | null;
  intent_id: number | null;
  slurm_state: string;
  state_detail: string | null;
  exit_code: number | null;
  exit_signal: number | null;
  stdout_path: string | null;
  stderr_path: string | null;
  submitted_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  ended: number;
  decided: number;
  decision: string | null;
  decision_reason: string | null;
  decided_at: number | null;
  checkpoint_seen: number;
  progress_lines: number;
  created_at: number;
  node: string | null;
  time_limit_minutes: number | null;
}

function decode(r: Raw): AttemptRow {
  return {
    id: r.id,
    taskId: r.task_id,
    jobId: r.job_id,
    arrayJobId: r.array_job_id,
    jobIdRaw: r.job_id_raw,
    intentId: r.intent_id,
    slurmState: r.slurm_state,
    stateDetail: r.state_detail,
    exitCode: r.exit_code,
    exitSignal: r.exit_signal,
    stdoutPath: r.stdout_path,
    stderrPath: r.stderr_path,
    submittedAt: r.submitted_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    ended: r.ended === 1,
    decided: r.decided === 1,
    decision: r.decision,
    decisionReason: r.decision_reason,
    decidedAt: r.decided_at,
    checkpointSeen: r.checkpoint_seen === 1,
    progressLines: r.progress_lines,
    createdAt: r.created_at,
    node: r.node,
    timeLimitMinutes: r.time_limit_minutes,
  };
}

export interface NewAttempt {
  taskId: number;
  jobId: string;
  arrayJobId: string;
  intentId: number | null;
  createdAt: number;
}

export interface AttemptDecision {
  decision: string;
  reason: string;
  at: number;
}

/** Scheduler facts about an attempt; undefined fields are left as they are. */
export interface AttemptFacts {
  jobIdRaw?: string | null;
  slurmState: string;
  stateDetail?: string | null;
  exitCode?: number | null;
  exitSignal?: number | null;
  stdoutPath?: string | null;
  stderrPath?: string | null;
  submittedAt?: number | null;
  startedAt?: number | null;
  endedAt?: number | null;
  ended: boolean;
  node?: string | null;
  timeLimitMinutes?: number | null;
}

/** The row `update(row.id, f)` leaves behind, computed without a read: what the tracker compares. */
export function withFacts(row: AttemptRow, f: AttemptFacts): AttemptRow {
  return {
    ...row,
    jobIdRaw: f.jobIdRaw ?? row.jobIdRaw,
    slurmState: f.slurmState,
    stateDetail: f.stateDetail ?? null,
    exitCode: f.exitCode ?? row.exitCode,
    exitSignal: f.exitSignal ?? row.exitSignal,
    stdoutPath: f.stdoutPath ?? row.stdoutPath,
    stderrPath: f.stderrPath ?? row.stderrPath,
    submittedAt: f.submittedAt ?? row.submittedAt,
    startedAt: f.startedAt ?? row.startedAt,
    endedAt: f.endedAt ?? row.endedAt,
    ended: row.ended || f.ended,
    node: f.node ?? row.node,
    timeLimitMinutes: f.timeLimitMinutes ?? row.timeLimitMinutes,
  };
}

const SCHEDULER_FIELDS = [
  'jobIdRaw',
  'slurmState',
  'stateDetail',
  'exitCode',
  'exitSignal',
  'stdoutPath',
  'stderrPath',
  'submittedAt',
  'startedAt',
  'endedAt',
  'ended',
  'node',
  'timeLimitMinutes',
] as const satisfies readonly (keyof AttemptRow)[];

/** Whether two versions of a row differ in what the scheduler reports. */
export function schedulerFactsDiffer(a: AttemptRow, b: AttemptRow): boolean {
  return SCHEDULER_FIELDS.some((k) => a[k] !== b[k]);
}

export class AttemptRepo {
  private readonly s: Record<string, Statement>;

  constructor(db: Database) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO attempts (task_id, job_id, array_job_id, intent_id, slurm_state, created_at)
         VALUES (?, ?, ?, ?, 'PENDING', ?) ON CONFLICT (job_id) DO NOTHING`,
      ),
      byJob: db.prepare('SELECT * FROM attempts WHERE job_id = ?'),
      byJobOrRaw: db.prepare('SELECT * FROM attempts WHERE job_id = ? OR job_id_raw = ? ORDER BY id LIMIT 1'),
      firstOfArrayJob: db.prepare('SELECT * FROM attempts WHERE array_job_id = ? ORDER BY id LIMIT 1'),
      get: db.prepare('SELECT * FROM attempts WHERE id = ?'),
      live: db.prepare('SELECT * FROM attempts WHERE ended = 0 ORDER BY id'),
      undecided: db.prepare('SELECT * FROM attempts WHERE ended = 1 AND decided = 0 ORDER BY id'),
      byTask: db.prepare('SELECT * FROM attempts WHERE task_id = ? ORDER BY id'),
      bySubmission: db.prepare(
        'SELECT a.* FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE t.submission_id = ? ORDER BY a.id',
      ),
      latestForTask: db.prepare('SELECT * FROM attempts WHERE task_id = ? ORDER BY id DESC LIMIT 1'),
      byIntent: db.prepare('SELECT * FROM attempts WHERE intent_id = ? ORDER BY id'),
      update: db.prepare(
        `UPDATE attempts SET
           job_id_raw = coalesce(@jobIdRaw, job_id_raw),
           slurm_state = @slurmState,
           state_detail = @stateDetail,
           exit_code = coalesce(@exitCode, exit_code),
           exit_signal = coalesce(@exitSignal, exit_signal),
           stdout_path = coalesce(@stdoutPath, stdout_path),
           stderr_path = coalesce(@stderrPath, stderr_path),
           submitted_at = coalesce(@submittedAt, submitted_at),
           started_at = coalesce(@startedAt, started_at),
           ended_at = coalesce(@endedAt, ended_at),
           ended = max(ended, @ended),
           node = coalesce(@node, node),
           time_limit_minutes = coalesce(@timeLimitMinutes, time_limit_minutes)
         WHERE id = @id`,
      ),
      decide: db.prepare(
        'UPDATE attempts SET decided = 1, decision = ?, decision_reason = ?, decided_at = ? WHERE id = ?',
      ),
      logFacts: db.prepare(
        'UPDATE attempts SET checkpoint_seen = max(checkpoint_seen, ?), progress_lines = ? WHERE id = ?',
      ),
      count: db.prepare('SELECT count(*) AS n FROM attempts'),
      liveJobs: db.prepare('SELECT count(DISTINCT array_job_id) AS n FROM attempts WHERE ended = 0'),
    };
  }

  /** Records a new attempt; an attempt with the same job id is kept as it is. Returns its id. */
  insert(a: NewAttempt): number {
    this.s.insert!.run(a.taskId, a.jobId, a.arrayJobId, a.intentId, a.createdAt);
    return (this.s.byJob!.get(a.jobId) as Raw).id;
  }

  byJobId(jobId: string): AttemptRow | undefined {
    const r = this.s.byJob!.get(jobId) as Raw | undefined;
    return r && decode(r);
  }

  /** The attempt a Slurm id names: its job id ("1234_7", "1234") or its raw id (what sacct -j also takes). */
  byJobOrRawId(id: string): AttemptRow | undefined {
    const r = this.s.byJobOrRaw!.get(id, id) as Raw | undefined;
    return r && decode(r);
  }

  /** The first attempt of an array job (a submission's first job or a resubmission). */
  firstOfArrayJob(arrayJobId: string): AttemptRow | undefined {
    const r = this.s.firstOfArrayJob!.get(arrayJobId) as Raw | undefined;
    return r && decode(r);
  }

  get(id: number): AttemptRow | undefined {
    const r = this.s.get!.get(id) as Raw | undefined;
    return r && decode(r);
  }

  live(): AttemptRow[] {
    return (this.s.live!.all() as Raw[]).map(decode);
  }

  undecided(): AttemptRow[] {
    return (this.s.undecided!.all() as Raw[]).map(decode);
  }

  byTask(taskId: number): AttemptRow[] {
    return (this.s.byTask!.all(taskId) as Raw[]).map(decode);
  }

  /** Every attempt of a submission's tasks, in one query (the detail view). */
  bySubmission(submissionId: number): AttemptRow[] {
    return (this.s.bySubmission!.all(submissionId) as Raw[]).map(decode);
  }

  latestForTask(taskId: number): AttemptRow | undefined {
    const r = this.s.latestForTask!.get(taskId) as Raw | undefined;
    return r && decode(r);
  }

  byIntent(intentId: number): AttemptRow[] {
    return (this.s.byIntent!.all(intentId) as Raw[]).map(decode);
  }

  update(id: number, f: AttemptFacts): void {
    this.s.update!.run({
      id,
      jobIdRaw: f.jobIdRaw ?? null,
      slurmState: f.slurmState,
      stateDetail: f.stateDetail ?? null,
      exitCode: f.exitCode ?? null,
      exitSignal: f.exitSignal ?? null,
      stdoutPath: f.stdoutPath ?? null,
      stderrPath: f.stderrPath ?? null,
      submittedAt: f.submittedAt ?? null,
      startedAt: f.startedAt ?? null,
      endedAt: f.endedAt ?? null,
      ended: f.ended ? 1 : 0,
      node: f.node ?? null,
      timeLimitMinutes: f.timeLimitMinutes ?? null,
    });
  }

  /** The attempt needs no more deciding; `d` is what was decided (none for an attempt a newer one superseded). */
  markDecided(id: number, d?: AttemptDecision): void {
    this.s.decide!.run(d?.decision ?? null, d?.reason ?? null, d?.at ?? null, id);
  }

  setLogFacts(id: number, checkpointSeen: boolean, progressLines: number): void {
    this.s.logFacts!.run(checkpointSeen ? 1 : 0, progressLines, id);
  }

  /** Slurm jobs (array ids) with a live attempt. */
  liveJobCount(): number {
    return (this.s.liveJobs!.get() as { n: number }).n;
  }

  count(): number {
    return (this.s.count!.get() as { n: number }).n;
  }
}
