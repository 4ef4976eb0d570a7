// Lease.fence: what a woken (frozen, then SIGCONT) holder checks synchronously before any scheduler command.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { silentLogger } from '../../../agent/log.js';
import { CountingScheduler } from '../../../agent/metrics.js';
import { Lease } from '../../../agent/service/lease.js';
import type { LeaseBody } from '../../../agent/service/lease-body.js';
import type { Scheduler, SchedulerSearch } from '../../../agent/slurm/types.js';
import { Registry } from 'prom-client';
import { FakeClock } from '../../helpers/fake-clock.js';

t.test('fence passes while ours and fresh, refuses when stale, and reports a takeover as lost', async (t) => {
  const file = path.join(t.testdir(), 'agent.lease');
  const clock = new FakeClock();
  const lost: (LeaseBody | null)[] = [];
  const lease = new Lease({
    file,
    host: 'login-1',
    pid: process.pid,
    ttlMs: 4000,
    heartbeatMs: 1000,
    clock,
    logger: silentLogger(),
    version: 'test',
    onLost: (holder) => lost.push(holder),
  });
  await lease.acquire();
  t.doesNotThrow(() => lease.fence(), 'ours and fresh');

  let sbatch = 0;
  const inner = { submit: async () => ({ jobId: String(++sbatch) }) } as unknown as Scheduler &
    SchedulerSearch;
  const scheduler = new CountingScheduler(inner, new Registry(), clock, () => lease.fence());
  await scheduler.submit({ args: [], cwd: '/', env: {} });
  t.equal(sbatch, 1);

  await clock.advance(5000); // frozen past the TTL: no heartbeat ran
  t.throws(() => lease.fence(), { code: 'AGENT_ERR_LEASE_HELD', message: /older than its TTL/ });
  t.same(lost, [], 'a stale body of ours is not a loss yet');

  const body = JSON.parse(readFileSync(file, 'utf8')) as LeaseBody;
  writeFileSync(
    file,
    JSON.stringify({ ...body, owner: 'someone-else', host: 'login-2', heartbeatAt: clock.now() }),
  );
  await t.rejects(scheduler.submit({ args: [], cwd: '/', env: {} }), { code: 'AGENT_ERR_LEASE_HELD' });
  t.equal(sbatch, 1, 'no sbatch once the lease names another agent');
  t.match(lost, [{ host: 'login-2' }], 'reported as lost');
  t.throws(() => lease.fence(), { message: /does not hold/ }, 'and no longer held');
  await lease.stop();
  t.match(JSON.parse(readFileSync(file, 'utf8')), { owner: 'someone-else' }, 'the new lease is left alone');
});
