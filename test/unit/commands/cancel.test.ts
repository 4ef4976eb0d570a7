// emb-client cancel on the agent (agent/commands/cancel.ts): recorded first (held, never resumed), then one
// scancel per array job for a submission, the task's own id for a task; a failed scancel says the cancel stands.
import t from 'tap';
import { cancelTarget, type CancelDeps } from '../../../agent/commands/cancel.js';
import { isAgentError } from '../../../agent/errors.js';
import { silentLogger } from '../../../agent/log.js';
import { SchedulerError } from '../../../agent/slurm/errors.js';
import { TaskLife } from '../../../agent/tasks/life.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { openRepos, seed } from '../../helpers/http-fixtures.js';

function setup(t: { testdir(): string }, fail = false) {
  const repos = openRepos(t.testdir());
  seed(repos);
  const scancels: string[] = [];
  const d: CancelDeps = {
    repos,
    life: new TaskLife({ repos, clock: new FakeClock(), logger: silentLogger() }),
    logger: silentLogger(),
    user: 'alice',
    scheduler: {
      cancel: async (jobId: string) => {
        scancels.push(jobId);
        if (fail)
          throw new SchedulerError('transient', {
            command: 'scancel',
            reason: 'Socket timed out on send/recv',
          });
      },
    },
  };
  return { d, repos, scancels };
}

t.test('a submission: one scancel per array job with live tasks, every open task held', async (t) => {
  const { d, repos, scancels } = setup(t);
  const r = await cancelTarget(d, '#1');
  t.same(scancels, ['1500'], 'the resubmission running tasks 8 and 9');
  t.same(r.indices, [8, 9, 10, 11], 'the tasks not done');
  t.match(r.message, 'cancelled (scancel 1500); never resumed');
  for (const i of [8, 9, 10, 11]) t.ok(repos.tasks.find(1, i)?.held, `task ${i} held`);
  t.notOk(repos.tasks.find(1, 0)?.held, 'a done task is left alone');
  const events = repos.events.list({ submissionId: 1, limit: 5 });
  t.match(events.at(-1), { kind: 'task.cancelled', message: /cancelled by alice \(emb-client cancel\)/ });
});

t.test('a task: its own job id; a done one has nothing to cancel', async (t) => {
  const { d, scancels } = setup(t);
  t.same((await cancelTarget(d, '#1:8')).indices, [8]);
  t.same(scancels, ['1500_8']);
  const err = (await t.rejects(cancelTarget(d, '1000_3'))) as Error;
  t.ok(isAgentError(err, 'AGENT_ERR_CONFLICT'));
  t.same(scancels, ['1500_8'], 'no scancel for a done task');
});

t.test('scancel failing: the error says the cancel is recorded and the job may still run', async (t) => {
  const { d, repos } = setup(t, true);
  const err = (await t.rejects(cancelTarget(d, '#1:9'))) as Error;
  t.ok(isAgentError(err, 'AGENT_ERR_SCHEDULER_TRANSIENT'));
  t.match(
    err.message,
    /recorded as cancelled \(never resumed\), but scancel 1500_9 failed.*Socket timed out/,
  );
  t.ok(repos.tasks.find(1, 9)?.held, 'still never resumed');
});
