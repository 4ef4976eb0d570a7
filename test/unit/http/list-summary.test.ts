// GET /submissions?view=summary: what the human `ls` reads. Each submission's groups must be what the client
// makes of the full list itself, with the same filters, and the full list (ls --json) must not change.
import t from 'tap';
import { SubmissionListSchema, SubmissionSummaryListSchema } from '../../../agent/api/schemas.js';
import { buildApp } from '../../../agent/http/app.js';
import { groupTasks } from '../../../shared/task-groups.js';
import { makeDeps, openRepos, seed, TOKEN } from '../../helpers/http-fixtures.js';

const headers = { authorization: `Bearer ${TOKEN}` };

function appOf(t: { testdir(): string; teardown(fn: () => unknown): void }) {
  const repos = openRepos(t.testdir());
  seed(repos, { tasks: [300, 3] });
  const app = buildApp(makeDeps(repos));
  t.teardown(() => app.close());
  return app;
}

t.test('the summary carries the full list without its tasks, and their groups', async (t) => {
  const app = appOf(t);
  for (const query of [
    '',
    'state=failed',
    'name=train',
    'all=true',
    'state=done&since=2000-01-01T00:00:00Z',
  ]) {
    const sep = query ? '&' : '';
    const full = await app.inject({ method: 'GET', url: `/submissions?${query}`, headers });
    const summary = await app.inject({
      method: 'GET',
      url: `/submissions?${query}${sep}view=summary`,
      headers,
    });
    t.equal(summary.statusCode, 200, query);
    t.match(summary.headers['content-type'], /application\/json/);
    const subs = SubmissionListSchema.parse(full.json());
    const sums = SubmissionSummaryListSchema.parse(summary.json());
    t.same(
      sums,
      subs.map(({ tasks, ...rest }) => ({ ...rest, taskCount: tasks.length, groups: groupTasks(tasks) })),
      `?${query}: the same submissions, tasks as groups`,
    );
    // A list of a few tasks is mostly the submissions' own fields; hundreds of tasks are where it counts.
    if (subs.some((s) => s.tasks.length >= 100))
      t.ok(
        summary.body.length * 5 < full.body.length,
        `?${query}: far smaller (${summary.body.length} bytes)`,
      );
  }
  const explicit = await app.inject({ method: 'GET', url: '/submissions?view=full', headers });
  const plain = await app.inject({ method: 'GET', url: '/submissions', headers });
  t.equal(explicit.body, plain.body, 'view=full is the default, unchanged');
  const bad = await app.inject({ method: 'GET', url: '/submissions?view=rows', headers });
  t.equal(bad.statusCode, 400, 'an unknown view is refused');
});

t.test('groups: runs of state, hold, diagnosis and pending reason, jobs in Slurm notation', async (t) => {
  const task = (index: number, over: Partial<Parameters<typeof groupTasks>[0][number]> = {}) => ({
    index,
    state: 'done',
    attempts: 1,
    jobId: `1000_${index}`,
    diagnosis: null,
    held: false,
    ...over,
  });
  const quota = { cause: 'disk-quota', hint: 'write under /cluster/work' };
  const groups = groupTasks([
    task(0),
    task(1),
    task(2, { state: 'failed', diagnosis: { ...quota, line: 'Disk quota exceeded' } as typeof quota }),
    task(3, { state: 'failed', diagnosis: quota, attempts: 3, jobId: '2000_3' }),
    task(4, { state: 'queued', jobId: null, pending: 'Resources' }),
    task(5, { state: 'queued', jobId: '777', pending: 'Resources' }),
    task(6, { state: 'queued', pending: 'Priority' }),
  ]);
  t.same(
    groups,
    [
      {
        first: 0,
        last: 1,
        state: 'done',
        held: false,
        diagnosis: null,
        pending: null,
        attempts: { min: 1, max: 1 },
        jobs: ['1000_[0-1]'],
        unsubmitted: 0,
      },
      {
        first: 2,
        last: 3,
        state: 'failed',
        held: false,
        diagnosis: quota,
        pending: null,
        attempts: { min: 1, max: 3 },
        jobs: ['1000_2', '2000_3'],
        unsubmitted: 0,
      },
      {
        first: 4,
        last: 5,
        state: 'queued',
        held: false,
        diagnosis: null,
        pending: 'Resources',
        attempts: { min: 1, max: 1 },
        jobs: ['777'],
        unsubmitted: 1,
      },
      {
        first: 6,
        last: 6,
        state: 'queued',
        held: false,
        diagnosis: null,
        pending: 'Priority',
        attempts: { min: 1, max: 1 },
        jobs: ['1000_6'],
        unsubmitted: 0,
      },
    ],
    'the log line stays out of a group (show has it)',
  );
});
