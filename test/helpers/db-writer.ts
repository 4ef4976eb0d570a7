// A child process for test/integration/db-crash.test.ts: opens the state database the way the agent does and
// writes through the repositories in tight transactions, forever, until it is killed. Each transaction
// keeps invariants the test checks after a kill -9 (see checkConsistency there). After each commit it
// prints "committed N" (stdout to a pipe is synchronous on Linux, so a printed N is a committed N).
//   node --import tsx test/helpers/db-writer.ts DB_FILE wal|exclusive-rollback
import { openDatabase, type JournalMode } from '../../agent/db/open.js';
import { createRepos } from '../../agent/db/repos/index.js';
import { ShardStore } from '../../agent/shards/store.js';

/** Tasks per submission (db-crash.test.ts checks these counts); every fifth transaction also writes a burst
 *  of events to grow the journal. */
const TASKS = 20;
const RESUMED = [0, 1, 2, 3, 4];
const BURST = 2000;

const [file, journal] = process.argv.slice(2) as [string, JournalMode];
if (!file || (journal !== 'wal' && journal !== 'exclusive-rollback')) {
  process.stderr.write('usage: db-writer.ts DB_FILE wal|exclusive-rollback\n');
  process.exit(2);
}
const { db } = openDatabase(file, { journal });
const repos = createRepos(db);
const shards = new ShardStore(db);
const start = repos.submissions.list().length;

const unit = db.transaction((n: number) => {
  const now = Date.now();
  const job = String(1_000_000 + n * 10);
  const sub = repos.submissions.create({
    name: `writer-${n}`,
    origin: 'submit',
    args: [`--array=0-${TASKS - 1}`, 'build.sbatch'],
    cwd: '/w',
    env: { N: String(n) },
    arraySpec: `0-${TASKS - 1}`,
    throttle: null,
    doneMarker: 'out/done-{index}',
    progress: null,
    checkpointRegex: null,
    maxAttempts: null,
    resume: true,
    recipeNotes: [],
    firstJobId: job,
    createdAt: now,
  });
  for (let index = 0; index < TASKS; index++) {
    const taskId = repos.tasks.ensure(sub, index, 'queued', now);
    const jobId = `${job}_${index}`;
    const a = repos.attempts.insert({ taskId, jobId, arrayJobId: job, intentId: null, createdAt: now });
    repos.tasks.recordAttempt(taskId, jobId, now);
    repos.attempts.update(a, { slurmState: 'COMPLETED', exitCode: 0, exitSignal: 0, ended: true });
    repos.attempts.markDecided(a);
  }
  repos.events.add({
    at: now,
    level: 'info',
    kind: 'submission.created',
    submissionId: sub,
    jobId: job,
    message: `#${n}`,
  });
  // A resubmission as the executor records it: the intent, its confirmation and one attempt per index.
  const intent = repos.intents.create(
    sub,
    'resume',
    RESUMED,
    (id) => ({ tag: `w:${n}:${id}`, args: ['x'] }),
    now,
  );
  const job2 = String(1_000_000 + n * 10 + 1);
  repos.intents.confirm(intent.id, job2, now);
  for (const index of RESUMED) {
    const task = repos.tasks.find(sub, index);
    if (!task) throw new Error(`task ${index} of #${sub} vanished inside its transaction`);
    const jobId = `${job2}_${index}`;
    repos.attempts.insert({ taskId: task.id, jobId, arrayJobId: job2, intentId: intent.id, createdAt: now });
    repos.tasks.recordAttempt(task.id, jobId, now);
    repos.tasks.setState(task.id, 'running', null, now);
  }
  if (n % 5 === 0) {
    for (let i = 0; i < BURST; i++) {
      repos.events.add({
        at: now,
        level: 'info',
        kind: 'agent.other',
        submissionId: sub,
        message: `burst ${i} ${'x'.repeat(200)}`,
      });
    }
  }
  shards.record([{ dir: '/w/shards', at: now * 1000 + n, count: n, bytes: n * 1024 }]);
});

for (let n = start + 1; ; n++) {
  unit(n);
  process.stdout.write(`committed ${n}\n`);
}
