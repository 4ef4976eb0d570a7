// What the decorator reads of a resubmission from the agent's own database: options filed under the
// submission (as agent.other, or under their own kind once the event list names it) and each task's work.
import t from 'tap';
import type { Repos } from '../../../agent/db/repos/index.js';
import { resubmissionFacts, storedOptions } from '../../../agent/preflight/submission-facts.js';
import { openRepos } from '../../helpers/http-fixtures.js';

function seed(repos: Repos, progressLines: number[]) {
  const sub = repos.submissions.create({
    name: 'build',
    origin: 'submit',
    args: ['--array=0-1', '-t', '2:00:00', 'build.sbatch'],
    cwd: '/tmp',
    env: {},
    arraySpec: '0-1',
    throttle: null,
    doneMarker: null,
    progress: null,
    checkpointRegex: null,
    maxAttempts: null,
    resume: true,
    recipeNotes: [],
    firstJobId: '100',
    createdAt: 0,
  });
  for (const index of [0, 1]) {
    const task = repos.tasks.ensure(sub, index, 'resuming', 0);
    const a = repos.attempts.insert({
      taskId: task,
      jobId: `100_${index}`,
      arrayJobId: '100',
      intentId: null,
      createdAt: 0,
    });
    repos.attempts.update(a, { slurmState: 'TIMEOUT', startedAt: 1000, endedAt: 1000 + 1800, ended: true });
    repos.attempts.setLogFacts(a, true, progressLines[index] ?? 0);
  }
  const intent = repos.db.transaction(() =>
    repos.intents.create(
      sub,
      'resume',
      [0, 1],
      (id) => ({ tag: `emb-agent:intent=${id}:x`, args: [] }),
      5000,
    ),
  )();
  return { sub, intent: intent.id };
}

t.test(
  'options: the newest filed under the submission, whatever kind the event list gave them',
  async (t) => {
    const repos = openRepos(t.testdir());
    const { sub } = seed(repos, []);
    t.same(storedOptions(repos.db, sub), {});
    const add = (kind: 'agent.other' | 'preflight.options', options: unknown) =>
      repos.events.add({
        at: 1,
        level: 'info',
        kind,
        submissionId: sub,
        message: 'x',
        data: { kind: 'preflight.options', options },
      });
    add('agent.other', { fitTime: true, target: 8 });
    t.same(storedOptions(repos.db, sub), { fitTime: true, target: 8 });
    add('agent.other', { skip: 'because' });
    t.same(storedOptions(repos.db, sub), { skip: 'because' });
    add('agent.other', { target: -1 });
    t.same(storedOptions(repos.db, sub), {}, 'options that do not parse count as none');
    add('preflight.options', { fitTime: true });
    t.same(storedOptions(repos.db, sub), { fitTime: true }, 'under their own kind, as written now');
  },
);

t.test(
  'progress: shards in the watched folders by attempt window, else the log progress lines',
  async (t) => {
    const repos = openRepos(t.testdir());
    const { intent } = seed(repos, [3, 5]);
    // Task 0: 4 shards in its attempt (1000-2800 s), 2 before; task 1: none anywhere.
    const mtimes: Record<number, number[]> = {
      0: [10_000, 20_000, 1_100_000, 1_500_000, 2_000_000, 2_700_000],
      1: [],
    };
    const shardsSince = (index: number, since: number) =>
      (mtimes[index] ?? []).filter((m) => m >= since).length;
    const facts = resubmissionFacts({ repos, shardsSince }, intent);
    t.equal(facts?.originalArgs.includes('2:00:00'), true);
    t.same(await facts?.progress(), {
      source: 'shards',
      tasks: [
        { index: 0, done: 6, runs: [{ runSeconds: 1800, units: 4 }] },
        { index: 1, done: 0, runs: [{ runSeconds: 1800, units: 0 }] },
      ],
    });
    const none = resubmissionFacts({ repos, shardsSince: () => 0 }, intent);
    t.same(await none?.progress(), {
      source: 'progress lines',
      tasks: [
        { index: 0, done: 3, runs: [{ runSeconds: 1800, units: 3 }] },
        { index: 1, done: 5, runs: [{ runSeconds: 1800, units: 5 }] },
      ],
    });
    t.equal(resubmissionFacts({ repos, shardsSince }, 999), null, 'an intent the agent does not know');
  },
);
