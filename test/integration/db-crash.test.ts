// kill -9 during heavy writes, in both journal modes: a child process writes through the repositories in
// tight transactions (test/helpers/db-writer.ts) and is killed with SIGKILL once it has committed some;
// several rounds on the same file. After each kill the database must pass PRAGMA integrity_check, keep its
// migrations, hold every transaction the writer reported committed, and no half of any transaction.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { defaultMigrationsDir, loadMigrations } from '../../agent/db/migrate.js';
import { openDatabase, type JournalMode } from '../../agent/db/open.js';
import { ROOT } from '../helpers/agent-process.js';

const WRITER = path.join(ROOT, 'test/helpers/db-writer.ts');
const ROUNDS = Number(process.env.EMB_DB_CRASH_ROUNDS ?? 6);
/** Must match test/helpers/db-writer.ts. */
const TASKS = 20;
const RESUMED = 5;

/** Starts the writer, waits until it reports `after` commits (counting from this run), kills it with SIGKILL. */
async function writeAndKill(file: string, journal: JournalMode, after: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, journal], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let last = 0;
  let seen = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^committed (\d+)$/.exec(line);
    if (!m) continue;
    last = Number(m[1]);
    if (++seen >= after) {
      child.kill('SIGKILL');
      break;
    }
  }
  const end = await exited;
  if (end.signal !== 'SIGKILL') throw new Error(`the writer ended by itself (${end.code}): ${stderr}`);
  return last;
}

interface Count {
  n: number;
}

/** The invariants each writer transaction keeps: all or nothing of every one. */
function checkConsistency(t: Test, file: string, journal: JournalMode, committed: number): void {
  const latest = loadMigrations(defaultMigrationsDir()).at(-1)?.version ?? 0;
  const { db, applied } = openDatabase(file, { journal });
  try {
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'PRAGMA integrity_check');
    t.same(db.pragma('foreign_key_check'), [], 'no row points at a missing one');
    t.same(applied, [], 'no migration re-applied');
    t.equal(db.pragma('user_version', { simple: true }), latest, 'schema version intact');
    const one = (sql: string) => (db.prepare(sql).get() as Count).n;
    const subs = one('SELECT count(*) AS n FROM submissions');
    t.ok(subs >= committed, `every reported commit is there (${subs} submissions, ${committed} reported)`);
    t.equal(one(`SELECT count(*) AS n FROM tasks`), subs * TASKS, 'every submission has all its tasks');
    t.equal(
      one(`SELECT count(*) AS n FROM submissions s WHERE
             (SELECT count(*) FROM tasks WHERE submission_id = s.id) <> ${TASKS}`),
      0,
      'no submission with only some of its tasks',
    );
    t.equal(
      one(
        'SELECT count(*) AS n FROM tasks t LEFT JOIN submissions s ON s.id = t.submission_id WHERE s.id IS NULL',
      ),
      0,
      'no task without its submission',
    );
    t.equal(
      one(`SELECT count(*) AS n FROM tasks t WHERE attempts <> (SELECT count(*) FROM attempts WHERE task_id = t.id)
             OR latest_job_id IS NOT (SELECT job_id FROM attempts WHERE task_id = t.id ORDER BY id DESC LIMIT 1)`),
      0,
      "every task's attempt count and latest job match its attempts",
    );
    t.equal(one(`SELECT count(*) AS n FROM intents`), subs, 'one resubmission intent per submission');
    t.equal(
      one(`SELECT count(*) AS n FROM intents i WHERE state <> 'confirmed' OR job_id IS NULL OR tag LIKE 'new-%'
             OR (SELECT count(*) FROM attempts WHERE intent_id = i.id) <> ${RESUMED}`),
      0,
      'every intent confirmed, tagged, with one attempt per index',
    );
    t.equal(
      one(`SELECT count(*) AS n FROM submissions s WHERE
             (SELECT count(*) FROM events WHERE submission_id = s.id AND kind = 'submission.created') <> 1`),
      0,
      'one creation event per submission',
    );
    t.equal(one('SELECT count(*) AS n FROM shard_samples'), subs, 'one shard sample per transaction');
  } finally {
    db.close();
  }
}

for (const journal of ['wal', 'exclusive-rollback'] as const) {
  t.test(`kill -9 during heavy writes, ${journal}`, async (t) => {
    const file = path.join(t.testdir(), 'state', 'agent.db');
    for (let round = 1; round <= ROUNDS; round++) {
      // Vary the moment: after 1 to 25 commits of this run.
      const after = 1 + ((round * 7) % 25);
      const committed = await writeAndKill(file, journal, after);
      t.ok(committed >= after, `round ${round}: killed after commit ${committed}`);
      if (journal === 'exclusive-rollback') {
        // Killed inside a transaction, the rollback journal is left behind (hot) for the next open to undo.
        t.comment(`round ${round}: hot journal ${existsSync(`${file}-journal`) ? 'present' : 'absent'}`);
      }
      await t.test(`round ${round}: reopened`, async (t) => checkConsistency(t, file, journal, committed));
    }
  });
}
