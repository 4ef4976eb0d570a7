// /health is not ok while SAS token refreshes keep failing, and names the collections; it reports the
// notification targets without letting their failures make it not ok.
import path from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import type { TokenStatus } from '../../agent/api/tokens.js';
import { loadConfig } from '../../agent/config/load.js';
import { HealthMonitor, type HealthDeps } from '../../agent/health.js';
import { silentLogger } from '../../agent/log.js';
import type { Scheduler } from '../../agent/slurm/types.js';
import { Tracker } from '../../agent/tracker/tracker.js';
import { TaskLife } from '../../agent/tasks/life.js';
import { FakeClock, flushMicrotasks } from '../helpers/fake-clock.js';
import { openRepos } from '../helpers/http-fixtures.js';

function token(state: TokenStatus['state'], lastError: string | null): TokenStatus {
  return {
    collection: 'usda-cdl',
    account: null,
    container: null,
    expiry: null,
    secondsLeft: state === 'missing' ? null : 600,
    lastRefreshAt: null,
    lastError,
    lastErrorAt: null,
    nextRefreshAt: null,
    inFlight: false,
    state,
    jsonFile: '/t/usda-cdl.json',
    tokenFile: '/t/usda-cdl.token',
  };
}

function monitor(t: Test, extra: Partial<HealthDeps>): HealthMonitor {
  const dir = t.testdir({ 'config.yaml': 'stateDir: .\n' });
  const cfg = path.join(dir, 'config.yaml');
  const repos = openRepos(dir);
  const clock = new FakeClock();
  const scheduler = {
    version: async () => ({ major: 22, minor: 5, micro: 8, text: '22.05.8' }),
  } as unknown as Scheduler;
  const tracker = new Tracker({
    repos,
    life: new TaskLife({ repos, clock, logger: silentLogger() }),
    scheduler,
    clock,
    logger: silentLogger(),
    pollMs: 60_000,
    hooks: { onEnded: async () => undefined, onLogsKnown: () => undefined },
  });
  return new HealthMonitor({
    config: loadConfig(cfg, { HOME: dir }),
    version: 'test',
    clock,
    scheduler,
    tracker,
    database: { db: repos.db, journal: 'wal' },
    probeWrite: () => undefined,
    ...extra,
  });
}

t.test('health follows the token refresher', async (t) => {
  let status: TokenStatus[] = [token('fresh', null)];
  const health = monitor(t, { tokens: { status: () => status } });
  health.start();
  t.teardown(() => health.stop());
  await flushMicrotasks();
  t.match(health.snapshot(), { ok: true, tokens: { failing: [] } });

  status = [token('error', 'HTTP 503 from the SAS API')];
  t.match(health.snapshot(), {
    ok: false,
    tokens: { failing: [{ collection: 'usda-cdl', state: 'error', lastError: 'HTTP 503 from the SAS API' }] },
  });
  status = [token('expired', null)];
  t.equal(health.snapshot().ok, false, 'expired');
  status = [token('missing', null)];
  t.equal(health.snapshot().ok, true, 'no token yet and no failure: still starting');
  status = [token('missing', 'connect ECONNREFUSED')];
  t.equal(health.snapshot().ok, false, 'no token and the first fetch failed');
});

t.test('health lists the notification targets; their failures do not make it not ok', async (t) => {
  const target = { target: 'webhook ops', queued: 0, sent: 3, failed: 1, dropped: 0, lastError: 'HTTP 502' };
  let enabled = false;
  const health = monitor(t, {
    notify: {
      get enabled() {
        return enabled;
      },
      status: () => [target],
    },
  });
  health.start();
  t.teardown(() => health.stop());
  await flushMicrotasks();
  t.equal(health.snapshot().notify, undefined, 'no target configured: no notify part');
  enabled = true;
  t.match(health.snapshot(), { ok: true, notify: { targets: [target] } });
});
