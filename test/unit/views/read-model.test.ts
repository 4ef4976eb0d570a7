import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import t from 'tap';
import { createRepos } from '../../../agent/db/repos/index.js';
import { SubmissionDetailSchema, SubmissionListSchema } from '../../../agent/api/schemas.js';
import { RepoReadModel } from '../../../agent/views/read-model.js';
import { openRepos, seed, T0 } from '../../helpers/http-fixtures.js';
import { resolveTarget } from '../../../agent/tasks/targets.js';

t.test('submissions(): API shapes from rows', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos, { tasks: [12, 3] });
  const rm = new RepoReadModel(repos);
  const subs = rm.submissions();
  SubmissionListSchema.parse(subs);
  t.equal(subs.length, 2);
  const [a, b] = subs;
  t.equal(a!.id, 1);
  t.equal(a!.jobId, '1000');
  t.equal(a!.createdAt, new Date(T0).toISOString(), 'created_at is milliseconds');
  t.same(a!.counts, {
    queued: 0,
    running: 2,
    done: 8,
    resuming: 0,
    failed: 1,
    stalled: 0,
    exhausted: 0,
    held: 1,
  });
  t.same(
    a!.tasks.map((x) => x.index),
    [...Array(12).keys()],
    'tasks in index order',
  );
  const running = a!.tasks[8]!;
  t.match(running, { index: 8, state: 'running', attempts: 2, jobId: '1500_8', diagnosis: null });
  const failed = a!.tasks[10]!;
  t.equal(failed.diagnosis?.cause, 'disk-quota');
  t.equal(failed.diagnosis?.hint, 'write under /cluster/work, not the project space');
  t.notMatch(failed.diagnosis?.line ?? '', /LOGSIG/, 'a signature in a diagnosis line is scrubbed');
  t.equal(a!.tasks[11]!.held, true);
  t.equal(b!.tasks.length, 3);
  t.same(b!.counts.done, 3);
  const json = JSON.stringify(subs);
  t.notMatch(json, /SECRETSIG|KEY-SECRET|LOGSIG/, 'no secret from args, env or logs');
});

t.test('submission(id): history oldest first with seconds converted, decisions and events', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos, { tasks: [12] });
  const rm = new RepoReadModel(repos);
  const d = rm.submission(1);
  t.ok(d);
  SubmissionDetailSchema.parse(d);
  const task = d!.tasks.find((x) => x.index === 9)!;
  t.same(
    task.history.map((h) => h.jobId),
    ['1000_9', '1500_9'],
  );
  t.equal(task.history[0]!.submittedAt, new Date(T0).toISOString(), 'submitted_at is unix seconds');
  t.equal(task.history[0]!.startedAt, new Date(T0 + 60_000).toISOString());
  t.equal(task.history[0]!.endedAt, new Date(T0 + 3_600_000).toISOString());
  t.equal(task.history[0]!.decision, 'resume', 'decision from the decision event');
  t.equal(task.history[1]!.decision, null, 'an undecided attempt has no decision');
  t.equal(task.history[1]!.endedAt, null);
  t.ok(d!.events.length >= 3);
  t.ok(
    d!.events.every((e, i, all) => i === 0 || all[i - 1]!.id < e.id),
    'events oldest first',
  );
  t.equal(d!.events.at(-1)!.at, new Date(T0 + 9000).toISOString());
  t.equal(rm.submission(99), undefined);
});

t.test('events(): filters and limits', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos, { tasks: [12, 3] });
  const rm = new RepoReadModel(repos);
  const all = rm.events({ limit: 100 });
  t.equal(all.length, 4);
  t.same(
    rm.events({ submissionId: 2, limit: 100 }).map((e) => e.submissionId),
    [2],
  );
  t.same(
    rm.events({ afterId: all[1]!.id, limit: 100 }).map((e) => e.id),
    all.slice(2).map((e) => e.id),
  );
  t.equal(rm.events({ limit: 1 })[0]!.id, all.at(-1)!.id, 'limit keeps the newest');
});

t.test('resolveJob(): first job, resubmission, attempt and index', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos, { tasks: [12, 3] });
  const rm = new RepoReadModel(repos);
  t.same(rm.resolveJob('1000'), { submissionId: 1, index: null });
  t.same(rm.resolveJob('1500'), { submissionId: 1, index: null }, 'a resubmission array job');
  t.same(rm.resolveJob('1500_9'), { submissionId: 1, index: 9 }, 'an attempt');
  t.same(rm.resolveJob('2000_1'), { submissionId: 2, index: 1 }, 'the second submission, first job 2000');
  t.same(rm.resolveJob('1000_3'), { submissionId: 1, index: 3 });
  t.equal(rm.resolveJob('1000_99'), undefined);
  t.equal(rm.resolveJob('777'), undefined);
  t.equal(rm.resolveJob('abc'), undefined);
});

t.test('submissions() reads 10,000 tasks in a fixed number of statements (no N+1)', async (t) => {
  const dir = t.testdir();
  seed(openRepos(dir), { tasks: [6000, 3000, 1000] });
  const statements: string[] = [];
  // A second connection to the same file, tracing every statement the read model runs.
  const db = new BetterSqlite3(path.join(dir, 'agent.db'), {
    verbose: (sql) => statements.push(String(sql)),
  });
  t.teardown(() => db.close());
  const rm = new RepoReadModel(createRepos(db));
  statements.length = 0;
  const subs = rm.submissions();
  t.equal(
    subs.reduce((n, s) => n + s.tasks.length, 0),
    10_000,
  );
  t.equal(statements.filter((q) => /FROM tasks/.test(q)).length, 1, 'one query for all tasks');
  t.equal(statements.filter((q) => /FROM submissions/.test(q)).length, 1, 'one for the submissions');
  t.ok(statements.length <= 5, `${statements.length} statements in all (with the change check and waits)`);
  statements.length = 0;
  t.equal(rm.submissions(), subs, 'unchanged database: the same answer, from the cache');
  t.notOk(
    statements.some((q) => /FROM tasks/.test(q)),
    'without reading the tasks again',
  );
  statements.length = 0;
  rm.submission(1);
  t.ok(
    statements.length <= 7,
    `the detail view runs ${statements.length} statements (the change check, submission, tasks, attempts, events, wait), not one per task`,
  );
  statements.length = 0;
  rm.submission(1);
  t.ok(statements.length <= 2, 'unchanged database: the detail comes from the cache, after the change check');
});

t.test('the cached list follows every change, from this connection or another', async (t) => {
  const dir = t.testdir();
  const writer = openRepos(dir);
  seed(writer, { tasks: [12] });
  const rm = new RepoReadModel(writer);
  const first = rm.submissions();
  t.equal(first[0]!.tasks[3]!.state, 'done');
  const task = writer.tasks.find(1, 3)!;
  writer.tasks.setState(task.id, 'resuming', 'ended at the time limit', T0 + 10_000);
  const second = rm.submissions();
  t.not(second, first, 'a write on the same connection invalidates the cache');
  t.equal(second[0]!.tasks[3]!.state, 'resuming');
  t.equal(second[0]!.counts.resuming, 1);

  const other = openRepos(dir);
  t.teardown(() => other.db.close());
  other.tasks.setState(task.id, 'failed', null, T0 + 11_000);
  const third = rm.submissions();
  t.equal(third[0]!.tasks[3]!.state, 'failed', 'a commit by another connection invalidates it too');
});

t.test('the list and the detail build tasks alike', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos, { tasks: [12] });
  const rm = new RepoReadModel(repos);
  const list = rm.submissions()[0]!.tasks;
  const detail = rm.submission(1)!.tasks.map(({ history: _h, ...task }) => task);
  t.strictSame(list, detail);
});

t.test('resolveJob() and hold/release share one resolver: raw ids and resubmission arrays', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos, { tasks: [12, 3] });
  const a = repos.attempts.byJobId('1500_9');
  t.ok(a, 'the seed has a resubmission attempt 1500_9');
  repos.attempts.update(a!.id, { slurmState: 'RUNNING', jobIdRaw: '1509', ended: false });
  const rm = new RepoReadModel(repos);
  t.same(rm.resolveJob('1509'), { submissionId: 1, index: 9 }, 'a raw id names its task');
  t.equal(resolveTarget(repos, '1500').sub.id, 1, "hold 1500 finds the resubmission's submission");
  t.equal(resolveTarget(repos, '1500').task, null, 'and names the whole submission');
  t.equal(resolveTarget(repos, '1509').task?.index, 9);
});
