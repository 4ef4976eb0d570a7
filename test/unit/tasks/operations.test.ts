// The named operations of a task's life against a real SQLite file: each writes its rows and its one event,
// and a submit, a tracker cycle, a decision and a resubmission read as one story to a listener.
import t, { type Test } from 'tap';
import type { EventRow, SubmissionRow } from '../../../agent/db/repos/index.js';
import { silentLogger } from '../../../agent/log.js';
import { TaskLife } from '../../../agent/tasks/life.js';
import { decided, superseded } from '../../../agent/tasks/decided.js';
import {
  resubmissionDeferred,
  resubmissionDelayed,
  resubmissionPlanned,
  resubmissionRefused,
  resubmissionSent,
} from '../../../agent/tasks/resubmissions.js';
import {
  attemptLost,
  diagnosed,
  logMarkSeen,
  schedulerFactsSeen,
} from '../../../agent/tasks/scheduler-facts.js';
import { adopted, submitLost, submitOpened, submitted } from '../../../agent/tasks/submissions.js';
import { cancelled, held, released, resubmittedByHand } from '../../../agent/tasks/user-steps.js';
import { EVENT_KINDS } from '../../../agent/tasks/event-kinds.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { openRepos } from '../../helpers/http-fixtures.js';

const recipe = {
  name: 'build',
  origin: 'submit' as const,
  args: ['--array=0-2', 'b.sbatch'],
  cwd: '/w',
  env: {},
  arraySpec: '0-2',
  throttle: null,
  doneMarker: null,
  progress: null,
  checkpointRegex: null,
  maxAttempts: null,
  resume: true,
  recipeNotes: [],
};

function setup(t: Test) {
  const repos = openRepos(t.testdir());
  t.teardown(() => repos.db.close());
  const clock = new FakeClock(1_795_870_900_000);
  const life = new TaskLife({ repos, clock, logger: silentLogger() });
  const heard: EventRow[] = [];
  life.onRecorded((e) => void heard.push(e));
  const submit = (jobId = '100') => {
    const intentId = submitOpened(life, `emb-agent:submit=${jobId}`, recipe, [0, 1, 2], true);
    const id = submitted(life, { id: intentId, recipe, indices: [0, 1, 2], isArray: true }, jobId);
    return repos.submissions.get(id) as SubmissionRow;
  };
  return { repos, life, heard, clock, submit };
}

t.test('a submit, a tracker cycle, a decision and a resubmission, as a listener hears them', async (t) => {
  const { repos, life, heard, submit } = setup(t);
  const sub = submit();
  const tasks = repos.tasks.bySubmission(sub.id);
  t.same(
    tasks.map((x) => [x.index, x.state, x.attempts, x.latestJobId]),
    [
      [0, 'queued', 1, '100_0'],
      [1, 'queued', 1, '100_1'],
      [2, 'queued', 1, '100_2'],
    ],
  );
  t.equal(repos.submitIntents.pending().length, 0, 'the submit intent is closed');

  const a0 = repos.attempts.byJobId('100_0')!;
  const states = repos.tasks.liveStates();
  life.atomically(() => {
    const seen = { state: 'running' as const, detail: null, task: states.get(a0.taskId)! };
    const facts = { slurmState: 'RUNNING', startedAt: 10, ended: false };
    const running = schedulerFactsSeen(life, a0, facts, sub.id, seen);
    t.equal(running.slurmState, 'RUNNING');
    // The same facts again change nothing and record nothing.
    const before = life.changeOf(sub.id);
    schedulerFactsSeen(life, running, facts, sub.id, seen);
    t.equal(life.changeOf(sub.id), before, 'facts that did not change are no change');
  });
  t.equal(repos.tasks.get(a0.taskId)!.state, 'running');
  logMarkSeen(life, a0, repos.tasks.get(a0.taskId)!, 'checkpoint', 'CHECKPOINT saved');
  t.ok(repos.attempts.get(a0.id)!.checkpointSeen);

  const ended = repos.attempts.get(a0.id)!;
  decided(life, sub, repos.tasks.get(a0.taskId)!, ended, {
    decision: 'resume',
    reason: 'ended at the time limit after a checkpoint',
    state: 'resuming',
    level: 'info',
    diagnosis: null,
    facts: { checkpointSeen: true, progressMade: null, doneMarkerPresent: false },
  });
  const stored = repos.attempts.get(a0.id)!;
  t.same(
    [stored.decided, stored.decision, stored.decisionReason],
    [true, 'resume', 'ended at the time limit after a checkpoint'],
  );
  t.equal(repos.tasks.get(a0.taskId)!.state, 'resuming');

  const intent = resubmissionPlanned(life, sub, [0], 'resume', (id, now) => ({
    tag: `emb-agent:intent=${id}:${now}`,
    args: ['--array=0', 'b.sbatch'],
  }));
  resubmissionSent(life, intent, sub, '200', 'resubmitted');
  const task0 = repos.tasks.get(a0.taskId)!;
  t.same([task0.state, task0.attempts, task0.latestJobId], ['queued', 2, '200_0']);
  t.equal(repos.attempts.byJobId('200_0')!.intentId, intent.id);
  t.equal(repos.intents.get(intent.id)!.state, 'confirmed');

  t.same(
    heard.map((e) => e.kind),
    ['submission.created', 'task.state', 'log.checkpoint', 'decision', 'resume.submitted'],
  );
  t.same(heard, repos.events.list({ limit: 100 }), 'the listener heard every stored event, in order');
});

t.test('refusals, delays, the budget, lost attempts and log diagnoses', async (t) => {
  const { repos, life, heard, clock, submit } = setup(t);
  const sub = submit();
  const plan = () =>
    resubmissionPlanned(life, sub, [1, 2], 'resume', (id) => ({ tag: `t${id}`, args: ['b.sbatch'] }));
  const refused = plan();
  resubmissionRefused(life, refused, sub, 'sbatch: invalid account', {
    cause: 'sbatch-rejected',
    hint: 'fix the account',
    line: 'sbatch: error: invalid account',
  });
  const t1 = repos.tasks.find(sub.id, 1)!;
  t.same([t1.state, t1.diagnosisCause, t1.diagnosisHint], ['failed', 'sbatch-rejected', 'fix the account']);
  t.equal(repos.intents.get(refused.id)!.state, 'failed');

  const delayed = plan();
  resubmissionDelayed(life, delayed, 30_000, 'socket timed out');
  const again = repos.intents.get(delayed.id)!;
  t.same([again.state, again.tries, again.nextTryAt], ['pending', 1, clock.now() + 30_000]);

  resubmissionDeferred(life, sub.id, [t1], 'the hourly submission budget is spent');
  t.same(
    [repos.tasks.get(t1.id)!.state, repos.tasks.get(t1.id)!.reason],
    ['resuming', 'the hourly submission budget is spent'],
  );

  const a2 = repos.attempts.byJobId('100_2')!;
  attemptLost(life, a2);
  const lost = repos.attempts.get(a2.id)!;
  t.same([lost.slurmState, lost.ended], ['UNKNOWN', true]);
  diagnosed(life, a2, repos.tasks.get(a2.taskId)!, { cause: 'disk-quota', hint: 'write elsewhere' });
  t.equal(repos.tasks.get(a2.taskId)!.diagnosisCause, 'disk-quota');
  superseded(life, repos.tasks.get(a2.taskId)!, lost);
  t.same([repos.attempts.get(a2.id)!.decided, repos.attempts.get(a2.id)!.decision], [true, null]);

  submitLost(
    life,
    { id: submitOpened(life, null, recipe, [0], false), recipe, indices: [0], isArray: false } as never,
    'lost',
  );
  t.same(
    heard.map((e) => e.kind),
    [
      'submission.created',
      'resume.rejected',
      'resume.retry',
      'resume.budget',
      'attempt.lost',
      'log.diagnosis',
      'submit.lost',
    ],
  );
});

t.test('hold, release, resubmit by hand and cancel', async (t) => {
  const { repos, life, heard, submit } = setup(t);
  const sub = submit();
  const [t0, t1] = repos.tasks.bySubmission(sub.id);
  life.atomically(() => repos.tasks.setState(t0!.id, 'resuming', 'x', 1));
  const heldTasks = held(life, sub, null);
  t.equal(heldTasks.length, 3);
  t.equal(repos.tasks.get(t0!.id)!.state, 'held', 'a task waiting to resume now waits for a release');
  t.ok(repos.submissions.get(sub.id)!.held);
  const waking = released(life, sub, null);
  t.same(
    waking.map((x) => x.index),
    [0],
  );
  t.equal(repos.tasks.get(t0!.id)!.state, 'resuming');
  life.atomically(() => resubmittedByHand(life, sub, [repos.tasks.get(t1!.id)!]));
  t.equal(repos.tasks.get(t1!.id)!.reason, 'resubmitted by hand');
  cancelled(life, sub, repos.tasks.get(t1!.id)!, 'alice');
  const c = repos.tasks.get(t1!.id)!;
  t.same([c.held, c.state, c.reason], [true, 'held', 'cancelled by alice']);
  t.same(
    heard.map((e) => e.kind),
    ['submission.created', 'steering', 'steering', 'steering', 'task.cancelled'],
  );
});

t.test('an adopted job: its submission, each task with the attempt Slurm shows', async (t) => {
  const { repos, life, heard } = setup(t);
  const id = adopted(
    life,
    { ...recipe, origin: 'adopt', firstJobId: '300' },
    [
      { index: 0, jobId: '300_0', facts: { slurmState: 'COMPLETED', exitCode: 0, ended: true } },
      { index: 1, jobId: '300_1', facts: { slurmState: 'RUNNING', ended: false } },
    ],
    ['a note'],
  );
  t.same(
    repos.tasks.bySubmission(id).map((x) => [x.index, x.attempts, x.latestJobId]),
    [
      [0, 1, '300_0'],
      [1, 1, '300_1'],
    ],
  );
  t.same(
    repos.attempts.undecided().map((a) => a.jobId),
    ['300_0'],
    'an ended task waits for its decision',
  );
  t.equal(heard[0]!.kind, 'submission.adopted');
  t.same(heard[0]!.data, { notes: ['a note'] });
});

t.test('changeOf: a submission changes with its own writes, and with writes that name none', async (t) => {
  const { repos, life, submit } = setup(t);
  const a = submit();
  const b = submit('101');
  const [ofA, ofB] = [life.changeOf(a.id), life.changeOf(b.id)];
  const a0 = repos.attempts.byJobId('100_0')!;
  life.atomically(() => schedulerFactsSeen(life, a0, { slurmState: 'RUNNING', ended: false }, a.id, null));
  t.not(life.changeOf(a.id), ofA, 'a fact of one of its attempts');
  t.equal(life.changeOf(b.id), ofB, 'another submission is unchanged');
  held(life, b, null);
  t.not(life.changeOf(b.id), ofB, 'an event naming it');
  const [nowA, nowB] = [life.changeOf(a.id), life.changeOf(b.id)];
  attemptLost(life, a0);
  t.not(life.changeOf(a.id), nowA, 'an event naming no submission changes every one');
  t.not(life.changeOf(b.id), nowB);
  const [laterA, laterB] = [life.changeOf(a.id), life.changeOf(b.id)];
  life.atomically(() => repos.tasks.all());
  t.equal(life.changeOf(a.id), laterA, 'an operation that wrote nothing changes nothing');
  life.atomically(() => repos.submitIntents.probeWrite(1));
  t.not(life.changeOf(a.id), laterA, 'one that wrote and named no submission changes every one');
  t.not(life.changeOf(b.id), laterB);
});

t.test('the list of event kinds names each kind once', async (t) => {
  t.equal(new Set(EVENT_KINDS).size, EVENT_KINDS.length, 'no kind twice');
});
