// The lease with real files and several Lease instances sharing one file and one fake clock, as agents on
// different login nodes share the lease on Lustre.
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { AgentError } from '../../../agent/errors.js';
import { isAgentError } from '../../../agent/errors.js';
import { silentLogger } from '../../../agent/log.js';
import { Lease, type LeaseOptions } from '../../../agent/service/lease.js';
import { describeHolder, reachHint, type LeaseBody } from '../../../agent/service/lease-body.js';
import { readLease } from '../../../agent/service/lease-file.js';
import { claimFileFor } from '../../../agent/service/lease-takeover.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const TTL = 90_000;
const BEAT = 20_000;

function lease(file: string, clock: FakeClock, over: Partial<LeaseOptions> = {}): Lease {
  return new Lease({
    file,
    host: 'login-1',
    pid: process.pid,
    ttlMs: TTL,
    heartbeatMs: BEAT,
    clock,
    logger: silentLogger(),
    version: '0.1.0',
    listen: '127.0.0.1:8787',
    ...over,
  });
}

async function onDisk(file: string): Promise<LeaseBody> {
  const body = await readLease(file);
  if (!body) throw new Error(`no lease at ${file}`);
  return body;
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  if (r.pid === undefined) throw new Error('could not spawn');
  return r.pid;
}

t.test('the first agent takes the lease; a second is refused and told who holds it', async (t) => {
  const file = path.join(t.testdir(), 'state', 'agent.lease');
  const clock = new FakeClock();
  const a = lease(file, clock);
  const mine = await a.acquire();
  t.doesNotThrow(() => a.fence(), 'held: scheduler commands may run');
  const body = await onDisk(file);
  t.same(body, mine);
  t.match(body, {
    host: 'login-1',
    pid: process.pid,
    listen: '127.0.0.1:8787',
    version: '0.1.0',
    owner: a.owner,
  });
  await clock.advance(12_000);
  const b = lease(file, clock, { host: 'login-2', pid: 4242 });
  const err = await b.acquire().then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(isAgentError(err, 'AGENT_ERR_LEASE_HELD'), 'AGENT_ERR_LEASE_HELD');
  t.equal(
    (err as AgentError).message,
    `emb-agent already runs on login-1 (pid ${process.pid}, heartbeat 12 s ago, listening on 127.0.0.1:8787)`,
  );
  t.throws(() => b.fence(), { code: 'AGENT_ERR_LEASE_HELD', message: /does not hold/ });
  t.equal((await onDisk(file)).owner, a.owner, 'the refused agent left the lease alone');
});

t.test('readLease: null when absent, an error naming the file when unreadable', async (t) => {
  const dir = t.testdir({ 'agent.lease': 'not json' });
  t.equal(await readLease(path.join(dir, 'none.lease')), null);
  await t.rejects(readLease(path.join(dir, 'agent.lease')), /agent\.lease is not JSON/);
});

t.test('heartbeats keep the lease; it is taken over only after the TTL', async (t) => {
  const file = path.join(t.testdir(), 'agent.lease');
  const clock = new FakeClock();
  const a = lease(file, clock);
  await a.acquire();
  a.start();
  const b = lease(file, clock, { host: 'login-2', pid: 4242 });
  for (let i = 0; i < 10; i++) {
    await clock.advance(BEAT);
    await a.heartbeat(); // joins the heartbeat the timer started
    t.equal((await onDisk(file)).heartbeatAt, clock.now(), `heartbeat ${i + 1} written`);
  }
  await t.rejects(b.acquire(), { code: 'AGENT_ERR_LEASE_HELD' }, 'a heartbeating lease is never taken');
  await a.stop();
  t.equal(await readLease(file), null, 'a clean stop releases the lease');
  await t.resolves(b.acquire(), 'and then the next agent takes it at once');
});

t.test('a silent holder keeps the lease for exactly the TTL, then loses it and is told', async (t) => {
  const file = path.join(t.testdir(), 'agent.lease');
  const clock = new FakeClock();
  const lost: (LeaseBody | null)[] = [];
  const a = lease(file, clock, { onLost: (h) => lost.push(h) });
  await a.acquire(); // never heartbeats: frozen, or on a node that went away
  const b = lease(file, clock, { host: 'login-2', pid: 4242, listen: '127.0.0.1:9999' });
  await clock.advance(TTL);
  await t.rejects(b.acquire(), { code: 'AGENT_ERR_LEASE_HELD' }, 'not at the TTL itself');
  await clock.advance(1);
  const got = await b.acquire();
  t.equal(got.owner, b.owner);
  t.equal((await onDisk(file)).owner, b.owner);
  await a.heartbeat();
  t.equal(lost.length, 1, 'onLost called once');
  t.equal(lost[0]?.host, 'login-2');
  t.throws(() => a.fence(), { code: 'AGENT_ERR_LEASE_HELD' }, 'the loser runs no scheduler command');
  await a.heartbeat();
  t.equal(lost.length, 1, 'not called again');
  t.equal((await onDisk(file)).owner, b.owner, 'the loser did not write over the new holder');
  await a.stop();
  t.equal((await onDisk(file)).owner, b.owner, 'the loser does not release a lease that is not its own');
});

t.test('release removes only our own lease, even if it was replaced behind our back', async (t) => {
  const file = path.join(t.testdir(), 'agent.lease');
  const clock = new FakeClock();
  const a = lease(file, clock);
  await a.acquire();
  await clock.advance(TTL + 1);
  const b = lease(file, clock, { host: 'login-2', pid: 4242 });
  await b.acquire();
  await a.stop(); // a has not heartbeated, so it still believes it holds the lease
  t.equal((await onDisk(file)).owner, b.owner);
  t.same((await fs.readdir(path.dirname(file))).sort(), ['agent.lease'], 'no side files left');
});

t.test('same host, dead pid: taken over at once, without waiting for the TTL', async (t) => {
  const file = path.join(t.testdir(), 'agent.lease');
  const clock = new FakeClock();
  const pid = deadPid();
  const ghost = lease(file, clock, { host: hostname(), pid });
  await ghost.acquire();
  const other = lease(file, clock, { host: 'login-7' });
  await t.rejects(
    other.acquire(),
    { code: 'AGENT_ERR_LEASE_HELD' },
    'a pid on another host cannot be checked',
  );
  const here = lease(file, clock, { host: hostname() });
  t.equal((await here.acquire()).owner, here.owner);
});

t.test('an unreadable lease is taken over', async (t) => {
  const dir = t.testdir({ 'agent.lease': '{"half": ' });
  const file = path.join(dir, 'agent.lease');
  const a = lease(file, new FakeClock());
  await a.acquire();
  t.equal((await onDisk(file)).owner, a.owner);
});

t.test('a takeover claim: a live one makes others back off, a dead one is cleared', async (t) => {
  const file = path.join(t.testdir(), 'agent.lease');
  const clock = new FakeClock();
  await lease(file, clock, { host: 'login-9' }).acquire();
  await clock.advance(TTL + 1);
  const raw = await fs.readFile(file, 'utf8');
  const claim = claimFileFor(file, raw);
  await fs.writeFile(claim, JSON.stringify({ owner: 'x', host: 'login-3', pid: 1, claimedAt: clock.now() }));
  const b = lease(file, clock, { host: 'login-2' });
  await t.rejects(b.acquire(), {
    code: 'AGENT_ERR_LEASE_HELD',
    message: /another emb-agent is taking over the stale lease of login-9 /,
  });
  await clock.advance(TTL + 1); // the taker died mid-takeover
  t.equal((await b.acquire()).owner, b.owner);
  t.same((await fs.readdir(path.dirname(file))).sort(), ['agent.lease'], 'claim cleared, no side files');
});

t.test('racing agents: exactly one wins, on a fresh start and on a stale lease', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'agent.lease');
  const clock = new FakeClock();
  const rounds = 150;
  const tally = { fresh: 0, stale: 0 };
  for (let i = 0; i < rounds; i++) {
    for (const kind of ['fresh', 'stale'] as const) {
      await fs.rm(file, { force: true });
      if (kind === 'stale') {
        await lease(file, clock, { host: 'login-9' }).acquire();
        await clock.advance(TTL + 1);
      }
      const racers = [2, 3].map((n) =>
        Array.from({ length: n }, (_, k) => lease(file, clock, { host: `login-${k}` })),
      );
      const group = racers[i % 2]!;
      const results = await Promise.allSettled(group.map((l) => l.acquire()));
      const winners = group.filter((_, k) => results[k]!.status === 'fulfilled');
      const losers = results.filter((r) => r.status === 'rejected');
      if (winners.length !== 1 || !losers.every((r) => isAgentError(r.reason, 'AGENT_ERR_LEASE_HELD'))) {
        t.fail(`${kind} round ${i}: ${winners.length} winners`, { results });
        return;
      }
      t.equal((await onDisk(file)).owner, winners[0]!.owner, `${kind} round ${i}: the file names the winner`);
      tally[kind]++;
    }
  }
  t.same(tally, { fresh: rounds, stale: rounds });
  t.same(await fs.readdir(dir), ['agent.lease'], 'no temp, claim or aside files left behind');
});

t.test(
  'update() records the listen address; a deleted or damaged lease is repaired by the next heartbeat',
  async (t) => {
    const file = path.join(t.testdir(), 'agent.lease');
    const clock = new FakeClock();
    const a = lease(file, clock, { listen: null });
    await a.acquire();
    t.equal((await onDisk(file)).listen, null);
    await a.update({ listen: '127.0.0.1:41234' });
    t.equal((await onDisk(file)).listen, '127.0.0.1:41234');
    await fs.unlink(file);
    await a.heartbeat();
    t.equal((await onDisk(file)).owner, a.owner);
    t.doesNotThrow(() => a.fence(), 'still held after a re-create');
    await fs.writeFile(file, 'garbage');
    await a.heartbeat();
    t.equal((await onDisk(file)).owner, a.owner, 'a damaged lease is repaired, not taken as lost');
    t.doesNotThrow(() => a.fence(), 'still held after a repair');
  },
);

t.test('bad timings and start() before acquire() are refused', async (t) => {
  const clock = new FakeClock();
  t.throws(() => lease('/x/agent.lease', clock, { ttlMs: 30_000, heartbeatMs: 20_000 }), {
    code: 'AGENT_ERR_CONFIG',
  });
  t.throws(() => lease('/x/agent.lease', clock).start(), { code: 'AGENT_ERR_INTERNAL' });
});

t.test('an unwritable state dir is an error naming the lease file', async (t) => {
  const dir = t.testdir({ blocker: 'a file where a directory should be' });
  const file = path.join(dir, 'blocker', 'agent.lease');
  await t.rejects(lease(file, new FakeClock()).acquire(), {
    code: 'AGENT_ERR_INTERNAL',
    message: new RegExp(`cannot take the lease ${file}`),
  });
});

t.test('describeHolder and reachHint say where the agent runs and how to reach it', async (t) => {
  const body: LeaseBody = {
    owner: 'o',
    host: 'login-3.betzy.sigma2.no',
    pid: 1234,
    listen: '127.0.0.1:8787',
    startedAt: 0,
    heartbeatAt: 1_000,
    version: '0.1.0',
  };
  t.equal(
    describeHolder(body, 13_000),
    'login-3.betzy.sigma2.no (pid 1234, heartbeat 12 s ago, listening on 127.0.0.1:8787)',
  );
  t.match(reachHint(body, 'login-3'), /runs on this host/);
  t.match(reachHint(body, 'login-1'), /ssh -N -L 8787:127\.0\.0\.1:8787 login-3\.betzy\.sigma2\.no/);
  t.match(
    reachHint({ ...body, listen: 'unix:/run/a.sock' }, 'login-1'),
    /ssh login-3\.betzy\.sigma2\.no emb-client/,
  );
});
