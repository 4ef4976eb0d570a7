// The composition root builds the whole graph without touching a file: the state folder does not even
// exist until start() opens the database and writes the API token.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { composeAgent } from '../../agent/compose.js';
import { readRuntimeEnv, resolveConfig } from '../../agent/config/load.js';
import { silentLogger } from '../../agent/log.js';
import { FakeClock } from '../helpers/fake-clock.js';

function configUnder(root: string, stateDir: string) {
  const env = readRuntimeEnv({ USER: 'digifarm', HOME: root, PATH: '/usr/bin:/bin' });
  return resolveConfig(
    {
      stateDir,
      workRoot: path.join(root, 'work'),
      // No scheduler here: start() must not wait for one (health and the engine retry later).
      slurm: { binDir: path.join(root, 'no-slurm') },
      api: { listen: `unix:${path.join('/tmp', `compose-test-${process.pid}.sock`)}` },
    },
    env,
    null,
  );
}

t.test('building touches no file; start() opens the database and writes the token', async (t) => {
  const root = t.testdir({});
  const stateDir = path.join(root, 'not', 'yet', 'state');
  const config = configUnder(root, stateDir);
  const agent = composeAgent({ config, logger: silentLogger(), clock: new FakeClock(), version: 'test' });
  t.same(readdirSync(root), [], 'nothing created under the root while building');
  t.throws(() => agent.app, { code: 'AGENT_ERR_INTERNAL' }, 'the HTTP app waits for start()');

  await agent.start();
  t.teardown(() => agent.stop());
  t.ok(existsSync(config.dbPath), 'the database exists after start()');
  t.equal(statSync(config.api.tokenFile).mode & 0o777, 0o600, 'and the API token, private');
  t.equal(agent.healthy(), true, 'the database answers');
  const reply = await agent.app.inject({ method: 'GET', url: '/health' });
  t.equal(reply.statusCode, 401, 'the app checks the token it was built with');
});

t.test('a state folder that cannot be made fails start(), not the build', async (t) => {
  const root = t.testdir({ 'a-file': 'not a folder' });
  const config = configUnder(root, path.join(root, 'a-file', 'state'));
  const agent = composeAgent({ config, logger: silentLogger(), clock: new FakeClock(), version: 'test' });
  await t.rejects(agent.start(), { code: 'AGENT_ERR_DB' });
  await agent.stop();
});
