import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readLease, unreachableMessage } from '../../../client/unreachable.js';

const endpoint = {
  kind: 'tcp' as const,
  host: '127.0.0.1',
  port: 8787,
  basePath: '',
  display: 'http://127.0.0.1:8787',
};
const now = Date.parse('2025-03-01T10:00:00Z');

t.test('the agent runs on another login node: ssh or tunnel there', async (t) => {
  const dir = t.testdir({
    'agent.lease': JSON.stringify({
      host: 'login-3.betzy.sigma2.no',
      pid: 77,
      listen: '127.0.0.1:8787',
      heartbeatAt: Date.parse('2025-03-01T09:59:40Z'),
    }),
  });
  const msg = unreachableMessage({
    endpoint,
    code: 'ECONNREFUSED',
    detail: '',
    stateDir: dir,
    tokenFile: '/h/.local/state/emb-agent/api-token',
    now,
    thisHost: 'login-1',
  });
  t.match(
    msg,
    /^cannot reach the agent at http:\/\/127\.0\.0\.1:8787: nothing is listening there \(ECONNREFUSED\)/,
  );
  t.match(
    msg,
    /the agent runs on login-3\.betzy\.sigma2\.no \(listening on 127\.0\.0\.1:8787, heartbeat 20 s ago/,
  );
  t.match(msg, /ssh -N -L 8787:127\.0\.0\.1:8787 login-3\.betzy\.sigma2\.no/);
  t.match(
    msg,
    /emb-client --url http:\/\/127\.0\.0\.1:8787 --token-file \/h\/\.local\/state\/emb-agent\/api-token/,
  );
});

t.test('the lease names this host: the agent may have stopped', async (t) => {
  const dir = t.testdir({
    'agent.lease': JSON.stringify({
      host: 'login-1',
      pid: 77,
      listen: 'unix:/run/a.sock',
      heartbeatAt: Date.parse('2025-03-01T09:00:00Z'),
    }),
  });
  const msg = unreachableMessage({
    endpoint,
    code: 'ECONNREFUSED',
    detail: '',
    stateDir: dir,
    tokenFile: '/t',
    now,
    thisHost: 'login-1.betzy',
  });
  t.match(msg, /says the agent runs here \(pid 77, listening on unix:\/run\/a\.sock, heartbeat 60 min ago\)/);
  t.match(msg, /systemctl --user status emb-agent/);
});

t.test('no lease (or a broken one): how to start the agent or reach it', async (t) => {
  const dir = t.testdir({ 'agent.lease': '{"host": ' });
  t.equal(readLease(dir), undefined, 'a half-written lease is ignored');
  writeFileSync(path.join(dir, 'agent.lease'), '[1,2]');
  t.equal(readLease(dir), undefined);
  const msg = unreachableMessage({
    endpoint,
    code: 'ETIMEDOUT',
    detail: '',
    stateDir: dir,
    tokenFile: '/t',
    agentTokenFile: '/home/u/st/api-token',
    home: '/home/u',
    now,
    thisHost: 'login-1',
  });
  t.match(msg, /no answer in time \(ETIMEDOUT\)/);
  t.match(msg, /emb-agent run/);
  t.match(msg, /systemctl --user status emb-agent/);
  t.match(msg, /ssh login-N emb-client health/);
  t.match(msg, /ssh -N -L 8787:\/PATH login-N/);
  t.match(msg, /scp login-N:~\/st\/api-token ~\/\.emb-agent-token/);
  t.match(
    unreachableMessage({
      endpoint,
      code: 'EWEIRD',
      detail: 'strange failure',
      stateDir: undefined,
      tokenFile: '/t',
      now,
    }),
    /strange failure \(EWEIRD\)/,
  );
});
