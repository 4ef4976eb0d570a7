// Submissions: the recipe (argv, working directory, environment) and the resume markers of one sbatch.
import type { Database, Statement } from 'better-sqlite3';
import type { SubmissionRow } from './rows.js';

export type NewSubmission = Omit<SubmissionRow, 'id' | 'held' | 'envFrom' | 'archivedAt'> & {
  envFrom?: SubmissionRow['envFrom'];
};

interface Raw {
  id: number;
  name: string | null;
  origin: 'submit' | 'adopt';
  args: string;
  cwd: string;
  env: string;
  array_spec: string | null;
  throttle: number | null;
  done_marker: string | null;
  progress: string | null;
  checkpoint_regex: string | null;
  max_attempts: number | null;
  resume: number;
  held: number;
  recipe_notes: string;
  first_job_id: string;
  created_at: number;
  env_from: 'client' | 'agent';
  archived_at: number | null;
}

function decode(r: Raw): SubmissionRow {
  return {
    id: r.id,
    name: r.name,
    origin: r.origin,
    args: JSON.parse(r.args) as string[],
    cwd: r.cwd,
    env: JSON.parse(r.env) as Record<string, string>,
    arraySpec: r.array_spec,
    throttle: r.throttle,
    doneMarker: r.done_marker,
    progress: r.progress,
    checkpointRegex: r.checkpoint_regex,
    maxAttempts: r.max_attempts,
    resume: r.resume === 1,
    held: r.held === 1,
    recipeNotes: JSON.parse(r.recipe_notes) as string[],
    firstJobId: r.first_job_id,
    createdAt: r.created_at,
    envFrom: r.env_from,
    archivedAt: r.archived_at,
  };
}

export class SubmissionRepo {
  private readonly insertStmt: Statement;
  private readonly getStmt: Statement<[number], Raw>;
  private readonly listStmt: Statement<[], Raw>;
  private readonly byJobStmt: Statement<[string], Raw>;
  private readonly heldStmt: Statement;
  private readonly archivedStmt: Statement;

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO submissions (name, origin, args, cwd, env, array_spec, throttle, done_marker, progress,
         checkpoint_regex, max_attempts, resume, recipe_notes, first_job_id, created_at, env_from)
       VALUES (@name, @origin, @args, @cwd, @env, @arraySpec, @throttle, @doneMarker, @progress,
         @checkpointRegex, @maxAttempts, @resume, @recipeNotes, @firstJobId, @createdAt, @envFrom)`,
    );
    this.getStmt = db.prepare('SELECT * FROM submissions WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM submissions ORDER BY id');
    this.byJobStmt = db.prepare('SELECT * FROM submissions WHERE first_job_id = ?');
    this.heldStmt = db.prepare('UPDATE submissions SET held = ? WHERE id = ?');
    this.archivedStmt = db.prepare('UPDATE submissions SET archived_at = ? WHERE id = ?');
  }

  create(s: NewSubmission): number {
    const info = this.insertStmt.run({
      ...s,
      args: JSON.stringify(s.args),
      env: JSON.stringify(s.env),
      resume: s.resume ? 1 : 0,
      recipeNotes: JSON.stringify(s.recipeNotes),
      envFrom: s.envFrom ?? 'client',
    });
    return Number(info.lastInsertRowid);
  }

  get(id: number): SubmissionRow | undefined {
    const r = this.getStmt.get(id);
    return r && decode(r);
  }

  list(): SubmissionRow[] {
    return this.listStmt.all().map(decode);
  }

  byFirstJobId(jobId: string): SubmissionRow | undefined {
    const r = this.byJobStmt.get(jobId);
    return r && decode(r);
  }

  setHeld(id: number, held: boolean): void {
    this.heldStmt.run(held ? 1 : 0, id);
  }

  /** Hidden from `ls` since `at` (unix ms), or listed again (null); its history stays. */
  setArchived(id: number, at: number | null): void {
    this.archivedStmt.run(at, id);
  }
}
