// /health is not ok while SAS token refreshes keep failing, and names the collections.
import path from 'node:path';
import t from 'tap';
import type { TokenStatus } from '../../agent/api/tokens.js';
import { loadConfig } from '../../agent/config/load.js';
import { HealthMonitor } from '../../agent/health.js';
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

t.test('health follows the token refresher', async (t) => {
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
  let status: TokenStatus[] = [token('fresh', null)];
  const health = new HealthMonitor({
    config: loadConfig(cfg, { HOME: dir }),
    version: 'test',
    clock,
    scheduler,
    tracker,
    database: { db: repos.db, journal: 'wal' },
    probeWrite: () => undefined,
    tokens: { status: () => status },
  });
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
