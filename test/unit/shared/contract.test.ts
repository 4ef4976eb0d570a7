// The contract both sides read: config places, state defaults, the lease's shape and the tunnel hint.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { configPathFor, loadConfig } from '../../../agent/config/load.js';
import { reachHint, type LeaseBody } from '../../../agent/service/lease-body.js';
import { configPath, readClientConfig } from '../../../client/config.js';
import { readLease } from '../../../client/unreachable.js';
import {
  agentConfigPath,
  clientConfigPath,
  leaseView,
  statePaths,
  tunnelCommand,
  tunnelHint,
} from '../../../shared/contract.js';

t.test('the agent and the client find the same config file', async (t) => {
  const cases: NodeJS.ProcessEnv[] = [
    { HOME: '/home/u' },
    { HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' },
    { HOME: '/home/u', XDG_CONFIG_HOME: '/xdg', EMB_AGENT_CONFIG: 'rel/c.yaml' },
  ];
  for (const env of cases) {
    t.same(configPathFor(undefined, env), configPath(undefined, env));
    t.same(configPathFor('/f.yaml', env), configPath('/f.yaml', env));
  }
  t.same(agentConfigPath(undefined, { HOME: '/home/u' }), {
    path: '/home/u/.config/emb-agent/config.yaml',
    explicit: false,
  });
  t.same(clientConfigPath({ HOME: '/home/u' }), {
    path: '/home/u/.config/emb-agent/client.yaml',
    explicit: false,
  });
  t.same(clientConfigPath({ HOME: '/home/u', EMB_CLIENT_CONFIG: '/c.yaml' }), {
    path: '/c.yaml',
    explicit: true,
  });
});

t.test('state folder and token: the same defaults and expansion on both sides', async (t) => {
  const dir = t.testdir({});
  const env = { HOME: '/home/u', USER: 'u', EMB_AGENT_CONFIG: path.join(dir, 'c.yaml') };
  for (const text of ['{}\n', 'stateDir: ~/st\n', 'stateDir: /s/$USER\napi:\n  tokenFile: ../tok\n']) {
    writeFileSync(env.EMB_AGENT_CONFIG, text);
    const agent = loadConfig(undefined, env);
    const client = await readClientConfig(undefined, env);
    t.equal(client.stateDir, agent.stateDir, text);
    t.equal(client.tokenFile, agent.api.tokenFile, text);
  }
  t.same(statePaths({}, { home: '/h', user: 'u' }), {
    stateDir: '/h/.local/state/emb-agent',
    tokenFile: '/h/.local/state/emb-agent/api-token',
  });
});

t.test('the lease the agent writes is the lease the client reads', async (t) => {
  const body: LeaseBody = {
    owner: 'o1',
    host: 'login-3.betzy',
    pid: 42,
    listen: 'unix:/tmp/emb-agent-1000/agent.sock',
    startedAt: 1_000,
    heartbeatAt: 2_000,
    version: '0.1.0',
  };
  const dir = t.testdir({ 'agent.lease': JSON.stringify(body) });
  t.same(readLease(dir), { host: 'login-3.betzy', pid: 42, listen: body.listen, heartbeatAt: 2_000 });
  t.same(leaseView({ ...body, listen: null }), {
    host: 'login-3.betzy',
    pid: 42,
    listen: undefined,
    heartbeatAt: 2_000,
  });
  t.equal(leaseView({ pid: 1 }), undefined, 'no host: no lease');
  t.same(leaseView({ host: 'h', pid: '1', heartbeatAt: 'soon' }), {
    host: 'h',
    pid: undefined,
    listen: undefined,
    heartbeatAt: undefined,
  });
});

t.test('one tunnel hint for the agent and the client', async (t) => {
  t.same(tunnelCommand('login-2', '127.0.0.1:9000'), {
    ssh: 'ssh -N -L 9000:127.0.0.1:9000 login-2',
    localPort: 9000,
  });
  t.same(tunnelCommand('login-2', '0.0.0.0:9000'), {
    ssh: 'ssh -N -L 9000:127.0.0.1:9000 login-2',
    localPort: 9000,
  });
  t.same(tunnelCommand('login-2', '[::1]:9000'), {
    ssh: 'ssh -N -L 9000:[::1]:9000 login-2',
    localPort: 9000,
  });
  t.same(tunnelCommand('login-2', 'unix:/run/u/a.sock'), {
    ssh: 'ssh -N -L 8787:/run/u/a.sock login-2',
    localPort: 8787,
  });
  t.same(tunnelCommand('login-2', undefined), {
    ssh: 'ssh -N -L 8787:127.0.0.1:8787 login-2',
    localPort: 8787,
  });
  const hint = tunnelHint('login-2', 'unix:/run/u/a.sock', '/t');
  t.equal(hint.client, 'emb-client --url http://127.0.0.1:8787 --token-file /t ...');
  const body: LeaseBody = {
    owner: 'o',
    host: 'login-2',
    pid: 1,
    listen: 'unix:/run/u/a.sock',
    startedAt: 0,
    heartbeatAt: 0,
    version: 'x',
  };
  t.ok(
    reachHint(body, 'login-1').includes(tunnelCommand('login-2', body.listen).ssh),
    "the agent's hint is the same",
  );
});
