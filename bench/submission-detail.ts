// Bench: server time of GET /submissions/{id} (`emb-client show`) for one submission of 1,000 tasks, each
// with a few attempts and their decisions, in a real SQLite file beside 9,000 other tasks.
// Target: ≤ 5 ms per request. Run `npx tsx bench/submission-detail.ts [requests] [extra attempts per task]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../agent/http/app.js';
import { makeDeps, openRepos, seed, TOKEN } from '../test/helpers/http-fixtures.js';
import type { Repos, SubmissionRow } from '../agent/db/repos/index.js';
import { silentLogger } from '../agent/log.js';
import { systemClock } from '../agent/clock.js';
import { TaskLife } from '../agent/tasks/life.js';
import { held, released } from '../agent/tasks/user-steps.js';
import { RepoReadModel } from '../agent/views/read-model.js';

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
    // As compose wires it: the read model keys a detail on the writer's changes to that submission.
    const life = new TaskLife({ repos, clock: systemClock, logger: silentLogger() });
    const app = buildApp(makeDeps(repos, { read: new RepoReadModel(repos, undefined, life) }));
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

    // What any request costs here (auth, routing, inject), for scale.
    const series = {
      'GET /health': [] as number[],
      unchanged: [] as number[],
      'after a write elsewhere': [] as number[],
      'after a write to it': [] as number[],
    };
    const timed = async (name: keyof typeof series, url: string) => {
      const s = performance.now();
      await get(url);
      series[name].push(performance.now() - s);
    };
    const other = repos.submissions.get(2) as SubmissionRow;
    const mine = repos.submissions.get(1) as SubmissionRow;
    // A hold and a release of one task: an event each, as the tracker's state changes write while jobs run.
    const step = (sub: SubmissionRow, i: number) => {
      const task = repos.tasks.find(sub.id, i % 100) ?? null;
      if (i % 2) released(life, sub, task);
      else held(life, sub, task);
    };
    for (let i = 0; i < requests; i++) {
      await timed('GET /health', '/health');
      await timed('unchanged', '/submissions/1');
      // Another submission changes, and the health check rewrites its probe row.
      step(other, i);
      repos.submitIntents.probeWrite(Date.now());
      await timed('after a write elsewhere', '/submissions/1');
      step(mine, i);
      await timed('after a write to it', '/submissions/1');
    }
    console.log(`median of ${requests} requests each, in-process inject (server time):`);
    for (const [name, xs] of Object.entries(series)) {
      const ms = median(xs);
      console.log(
        `  ${name.padEnd(24)} ${ms.toFixed(2).padStart(7)} ms   ×${(ms / 5).toFixed(2)} of the 5 ms target`,
      );
    }
    await app.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
