// Bench: server time of GET /submissions/{id} (`emb-client show`) for one submission of 1,000 tasks, each
// with a few attempts and their decisions, in a real SQLite file beside 9,000 other tasks.
// Target: ≤ 5 ms per request. Run `npx tsx bench/submission-detail.ts [requests] [extra attempts per task]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../agent/http/app.js';
import { makeDeps, openRepos, seed, TOKEN } from '../test/helpers/http-fixtures.js';
import type { Repos } from '../agent/db/repos/index.js';

const requests = Number(process.argv[2] ?? 50);
const rounds = Number(process.argv[3] ?? 2);

/**
 * Gives every task of the submission `rounds` more attempts, each ended at the time limit and decided
 * 'resume' with its decision event, as a long array that checkpoints a few times leaves behind.
 */
function seedHistory(
  repos: Repos,
  submissionId: number,
  rounds: number,
): { attempts: number; events: number } {
  let attempts = 0;
  let events = 0;
  const at = Date.parse('2025-03-02T10:00:00.000Z');
  repos.db.transaction(() => {
    for (const t of repos.tasks.bySubmission(submissionId)) {
      for (let r = 1; r <= rounds; r++) {
        const arrayJobId = String(50_000 + r);
        const jobId = `${arrayJobId}_${t.index}`;
        const id = repos.attempts.insert({ taskId: t.id, jobId, arrayJobId, intentId: null, createdAt: at });
        repos.attempts.update(id, {
          slurmState: 'TIMEOUT',
          submittedAt: at / 1000,
          startedAt: at / 1000 + 60,
          endedAt: at / 1000 + 3600,
          ended: true,
        });
        const reason = 'ended at the time limit after a checkpoint';
        repos.attempts.markDecided(id, { decision: 'resume', reason, at: at + r });
        repos.events.add({
          at: at + r,
          level: 'info',
          kind: 'decision',
          submissionId,
          taskId: t.id,
          jobId,
          message: `${jobId}: resume: ${reason}`,
          data: { decision: 'resume' },
        });
        attempts++;
        events++;
      }
    }
  })();
  return { attempts, events };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'emb-bench-'));
  try {
    const repos = openRepos(dir);
    const t0 = performance.now();
    seed(repos, { tasks: [1000, 6000, 3000] });
    const extra = seedHistory(repos, 1, rounds);
    console.log(
      `seeded 10,000 tasks (submission 1: 1,000 tasks, ${extra.attempts} more attempts, ${extra.events} events) in ${(performance.now() - t0).toFixed(0)} ms`,
    );
    const app = buildApp(makeDeps(repos));
    const get = (url: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });

    const first = await get('/submissions/1');
    if (first.statusCode !== 200) throw new Error(`GET /submissions/1: HTTP ${first.statusCode}`);
    const body = first.json<{ tasks: { history: { decision: string | null }[] }[] }>();
    const history = body.tasks.flatMap((t) => t.history);
    const decided = history.filter((h) => h.decision !== null).length;
    console.log(
      `reply: ${(first.body.length / 1024).toFixed(0)} KiB, ${body.tasks.length} tasks, ${history.length} attempts, ${decided} with a decision shown`,
    );

    const series = { unchanged: [] as number[], 'after a db write': [] as number[] };
    for (let i = 0; i < requests; i++) {
      let s = performance.now();
      await get('/submissions/1');
      series.unchanged.push(performance.now() - s);
      // Another task's state changes between requests, as the tracker does while jobs run.
      repos.db
        .prepare('UPDATE tasks SET updated_at = ? WHERE submission_id = 2 AND array_index = ?')
        .run(Date.now(), i);
      s = performance.now();
      await get('/submissions/1');
      series['after a db write'].push(performance.now() - s);
    }
    console.log(`median of ${requests} requests each, in-process inject (server time):`);
    for (const [name, xs] of Object.entries(series)) {
      const ms = median(xs);
      console.log(
        `  ${name.padEnd(18)} ${ms.toFixed(2).padStart(7)} ms   ×${(ms / 5).toFixed(2)} of the 5 ms target`,
      );
    }
    await app.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
