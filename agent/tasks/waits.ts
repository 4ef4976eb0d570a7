// A submission kept back until its prerequisites are done (submit --after, pipeline steps): made waiting,
// blocked or unblocked as its prerequisites fare, released or dropped by the user, and sent through the
// normal submit (its intent ties the job, once known, back to this submission). agent/pipeline/ decides;
// these record (table waits, migration 0006).
import type { SubmitBody } from '../api/schemas.js';
import type { SubmitRecipe, SubmissionRow } from '../db/repos/index.js';
import type { TaskLife } from './life.js';

export type WaitState = 'waiting' | 'sending' | 'sent' | 'dropped';

export interface WaitRow {
  submissionId: number;
  body: SubmitBody;
  after: number[];
  state: WaitState;
  released: boolean;
  blocked: boolean;
  failed: string | null;
  reason: string;
  intentId: number | null;
  createdAt: number;
  updatedAt: number;
}

interface Raw {
  submission_id: number;
  body: string;
  after: string;
  state: WaitState;
  released: number;
  blocked: number;
  failed: string | null;
  reason: string;
  intent_id: number | null;
  created_at: number;
  updated_at: number;
}

function decode(r: Raw): WaitRow {
  return {
    submissionId: r.submission_id,
    body: JSON.parse(r.body) as SubmitBody,
    after: JSON.parse(r.after) as number[],
    state: r.state,
    released: r.released === 1,
    blocked: r.blocked === 1,
    failed: r.failed,
    reason: r.reason,
    intentId: r.intent_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Reads of the waits table (anyone may read; only the operations below write). */
export function waitOf(life: Pick<TaskLife, 'repos'>, submissionId: number): WaitRow | undefined {
  const r = life.repos.db.prepare('SELECT * FROM waits WHERE submission_id = ?').get(submissionId) as
    Raw | undefined;
  return r && decode(r);
}

/** The rows still waiting or being sent: the only ones the gate looks at. */
export function openWaits(life: Pick<TaskLife, 'repos'>): WaitRow[] {
  const rows = life.repos.db
    .prepare("SELECT * FROM waits WHERE state IN ('waiting', 'sending') ORDER BY submission_id")
    .all() as Raw[];
  return rows.map(decode);
}

/** Every row, for the read model (a small table: one per submission ever kept back). */
export function allWaits(life: Pick<TaskLife, 'repos'>): Map<number, WaitRow> {
  const rows = life.repos.db.prepare('SELECT * FROM waits').all() as Raw[];
  return new Map(rows.map((r) => [r.submission_id, decode(r)]));
}

function update(life: TaskLife, id: number, set: string, ...values: unknown[]): void {
  life.repos.db
    .prepare(`UPDATE waits SET ${set}, updated_at = ? WHERE submission_id = ?`)
    .run(...values, life.clock.now(), id);
  // Not every change has an event: a cached `show` of this submission must still see it.
  life.touched(id);
}

function afterText(after: number[]): string {
  return after.map((id) => `#${id}`).join(', ');
}

/**
 * A submission kept back until every task of `after` is done: its row (no job yet), its wait and the event.
 * Returns its id. `extra` runs in the same transaction (a pipeline records its step there).
 */
export function submissionWaiting(
  life: TaskLife,
  recipe: SubmitRecipe,
  body: SubmitBody,
  after: number[],
  extra?: (submissionId: number) => void,
): number {
  return life.atomically(() => {
    const now = life.clock.now();
    const id = life.repos.submissions.create({ ...recipe, firstJobId: '', createdAt: now });
    const reason = after.length ? `waits for ${afterText(after)}` : 'about to be sent';
    const stored: SubmitBody = { ...body };
    delete stored.after;
    life.repos.db
      .prepare(
        `INSERT INTO waits (submission_id, body, after, state, reason, created_at, updated_at)
         VALUES (?, ?, ?, 'waiting', ?, ?, ?)`,
      )
      .run(id, JSON.stringify(stored), JSON.stringify(after), reason, now, now);
    extra?.(id);
    life.record({
      level: 'info',
      kind: 'wait.created',
      submissionId: id,
      message: after.length
        ? `${recipe.name ?? 'job'} kept back until every task of ${afterText(after)} is done`
        : `${recipe.name ?? 'job'} accepted; sent at once`,
      data: { after, args: recipe.args, cwd: recipe.cwd },
    });
    return id;
  });
}

/** What the gate now says the wait waits for; an event when it turns blocked, or unblocked again. */
export function waitReasonSeen(life: TaskLife, w: WaitRow, reason: string, blocked: boolean): void {
  if (w.reason === reason && w.blocked === blocked) return;
  life.atomically(() => {
    update(life, w.submissionId, 'reason = ?, blocked = ?', reason, blocked ? 1 : 0);
    if (w.blocked !== blocked) {
      life.record({
        level: blocked ? 'warn' : 'info',
        kind: blocked ? 'wait.blocked' : 'wait.unblocked',
        submissionId: w.submissionId,
        message: blocked ? `still waiting: ${reason}` : `no longer blocked: ${reason}`,
      });
    }
  });
}

/**
 * The submit's intent is written (inside the same transaction as the intent): from here the job, once
 * sbatch names it, is recorded into this submission, by the submit or after a crash by the settler.
 */
export function waitSending(life: TaskLife, submissionId: number, intentId: number): void {
  life.atomically(() => {
    update(
      life,
      submissionId,
      "state = 'sending', intent_id = ?, reason = ?",
      intentId,
      'being sent to Slurm',
    );
  });
}

/** The submission a submit intent fills (a wait being sent), or null for an ordinary submit. */
export function waitingInto(life: TaskLife, intentId: number): number | null {
  const id = life.repos.db
    .prepare("SELECT submission_id FROM waits WHERE intent_id = ? AND state = 'sending'")
    .pluck()
    .get(intentId) as number | undefined;
  return id ?? null;
}

/** sbatch named the job of a wait being sent: the submission now has it. Inside `submitted`'s transaction. */
export function waitSent(life: TaskLife, submissionId: number, jobId: string): void {
  life.atomically(() => {
    life.repos.db.prepare('UPDATE submissions SET first_job_id = ? WHERE id = ?').run(jobId, submissionId);
    update(life, submissionId, "state = 'sent', reason = ?", `sent as job ${jobId}`);
  });
}

/** The send did not reach Slurm (refused, or lost in a crash): it waits for the user's release or cancel. */
export function waitSendFailed(life: TaskLife, submissionId: number, why: string): void {
  life.atomically(() => {
    const reason = `not sent: ${why}; \`emb-client release #${submissionId}\` tries again, \`emb-client cancel #${submissionId}\` drops it`;
    update(
      life,
      submissionId,
      "state = 'waiting', released = 0, failed = ?, reason = ?, intent_id = NULL",
      why,
      reason,
    );
    life.record({ level: 'error', kind: 'wait.refused', submissionId, message: reason });
  });
}

/** The user sends it whatever its prerequisites say (or tries a failed send again). */
export function waitReleased(life: TaskLife, submissionId: number): void {
  life.atomically(() => {
    update(life, submissionId, 'released = 1, failed = NULL, reason = ?', 'released by the user');
    life.record({
      level: 'info',
      kind: 'wait.released',
      submissionId,
      message: 'released by the user: sent without waiting for its prerequisites',
    });
  });
}

/** The user dropped a waiting submission: it is never sent, and its row stays as history. */
export function waitDropped(life: TaskLife, sub: SubmissionRow, by: string): void {
  life.atomically(() => {
    update(life, sub.id, "state = 'dropped', reason = ?", `cancelled by ${by} before it was sent`);
    life.repos.submissions.setHeld(sub.id, true);
    life.record({
      level: 'info',
      kind: 'wait.dropped',
      submissionId: sub.id,
      message: `cancelled by ${by} while waiting: never sent`,
    });
  });
}

/** A pipeline step as applied: its submission and the digest of what was applied. */
export interface PipelineStepRow {
  pipeline: string;
  step: string;
  digest: string;
  submissionId: number;
}

export function pipelineSteps(life: Pick<TaskLife, 'repos'>, pipeline: string): Map<string, PipelineStepRow> {
  const rows = life.repos.db
    .prepare(
      'SELECT pipeline, step, digest, submission_id AS submissionId FROM pipeline_steps WHERE pipeline = ?',
    )
    .all(pipeline) as PipelineStepRow[];
  return new Map(rows.map((r) => [r.step, r]));
}

/** Records a step with its submission; call it inside submissionWaiting's transaction (its `extra`). */
export function pipelineStepApplied(life: TaskLife, row: PipelineStepRow): void {
  life.atomically(() => {
    life.repos.db
      .prepare(
        'INSERT INTO pipeline_steps (pipeline, step, digest, submission_id, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(row.pipeline, row.step, row.digest, row.submissionId, life.clock.now());
    life.record({
      level: 'info',
      kind: 'pipeline.step',
      submissionId: row.submissionId,
      message: `step ${row.step} of pipeline ${row.pipeline}`,
      data: { pipeline: row.pipeline, step: row.step },
    });
  });
}
