// What the preflight decorator needs to know of a resubmission, read from the agent's records: its
// submission, the options stored with it, and each task's work so far (for --fit-time).
import { stat } from 'node:fs/promises';
import type { Database } from 'better-sqlite3';
import type { Repos } from '../db/repos/index.js';
import { matchPaths } from '../resume/path-pattern.js';
import type { TaskProgress } from './fit-time.js';
import { OPTIONS_KIND, PreflightOptionsSchema, type PreflightOptions } from './options.js';
import type { ResubmissionFacts } from './scheduler.js';

export interface SubmissionFactsDeps {
  repos: Pick<Repos, 'intents' | 'submissions' | 'tasks' | 'attempts'> & { db: Database };
  /** Shards with this index in the watched shard folders written at or after sinceMs. */
  shardsSince(index: number, sinceMs: number): number;
}

/**
 * The options a submission was sent with: the newest preflight.options event filed under it. Databases
 * written before the event list named preflight's kinds hold them as agent.other with data.kind.
 */
export function storedOptions(db: Database, submissionId: number): PreflightOptions {
  const row = db
    .prepare(
      `SELECT data FROM events WHERE submission_id = ? AND data IS NOT NULL
         AND (kind = ? OR (kind = 'agent.other' AND json_extract(data, '$.kind') = ?))
       ORDER BY id DESC LIMIT 1`,
    )
    .pluck()
    .get(submissionId, OPTIONS_KIND, OPTIONS_KIND) as string | undefined;
  if (row === undefined) return {};
  const parsed = PreflightOptionsSchema.safeParse((JSON.parse(row) as { options?: unknown }).options);
  return parsed.success ? parsed.data : {};
}

/** mtimes (ms) of the files a --progress pattern names for this index. */
async function progressMtimes(cwd: string, pattern: string, index: number): Promise<number[]> {
  const out: number[] = [];
  for (const p of await matchPaths(cwd, pattern, index)) {
    const st = await stat(p).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (st?.isFile()) out.push(st.mtimeMs);
  }
  return out;
}

export function resubmissionFacts(d: SubmissionFactsDeps, intentId: number): ResubmissionFacts | null {
  const { repos } = d;
  const intent = repos.intents.get(intentId);
  if (!intent) return null;
  const sub = repos.submissions.get(intent.submissionId);
  if (!sub) return null;
  const progress = async (): Promise<{ source: string; tasks: TaskProgress[] }> => {
    // The same measures as the resume progress guard, in its order: a --progress pattern, the watched
    // shard folders, the log's progress lines.
    const tasks: TaskProgress[] = [];
    let source = sub.progress ? 'progress files' : 'shards';
    for (const index of intent.indices) {
      const task = repos.tasks.find(sub.id, index);
      const ran = (task ? repos.attempts.byTask(task.id) : []).filter(
        (a) => a.ended && a.startedAt !== null && a.endedAt !== null && a.endedAt > a.startedAt,
      );
      const windows = ran.map((a) => ({
        from: (a.startedAt as number) * 1000,
        to: (a.endedAt as number) * 1000,
        a,
      }));
      if (sub.progress) {
        const mtimes = await progressMtimes(sub.cwd, sub.progress, index);
        tasks.push({
          index,
          done: mtimes.length,
          runs: windows.map((w) => ({
            runSeconds: (w.to - w.from) / 1000,
            units: mtimes.filter((m) => m >= w.from && m <= w.to + 1000).length,
          })),
        });
        continue;
      }
      const shardRuns = windows.map((w) => ({
        runSeconds: (w.to - w.from) / 1000,
        units: d.shardsSince(index, w.from) - d.shardsSince(index, w.to + 1000),
      }));
      tasks.push({ index, done: d.shardsSince(index, 0), runs: shardRuns });
    }
    if (!sub.progress && tasks.every((t) => t.done === 0)) {
      // No shard folder knows these tasks: the log's progress lines stand in.
      source = 'progress lines';
      tasks.length = 0;
      for (const index of intent.indices) {
        const task = repos.tasks.find(sub.id, index);
        const all = task ? repos.attempts.byTask(task.id) : [];
        tasks.push({
          index,
          done: all.reduce((n, a) => n + a.progressLines, 0),
          runs: all
            .filter((a) => a.ended && a.startedAt !== null && a.endedAt !== null && a.endedAt > a.startedAt)
            .map((a) => ({
              runSeconds: (a.endedAt as number) - (a.startedAt as number),
              units: a.progressLines,
            })),
        });
      }
    }
    return { source, tasks };
  };
  return {
    submissionId: sub.id,
    options: storedOptions(repos.db, sub.id),
    originalArgs: sub.args,
    indices: intent.indices,
    progress,
  };
}
