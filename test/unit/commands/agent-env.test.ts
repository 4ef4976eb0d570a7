// Which environment a submit's jobs get (agent/commands/agent-env.ts): the agent user's for a client elsewhere,
// never the service's own settings; a sent environment over TCP only from a client on this host and uid.
import t from 'tap';
import { agentUserEnv, refuseForeignEnv, type AgentSelf } from '../../../agent/commands/agent-env.js';
import { isAgentError } from '../../../agent/errors.js';

const self: AgentSelf = {
  host: 'login-3',
  uid: 1001,
  user: 'alice',
  home: '/cluster/home/alice',
  vars: {
    HOME: '/wrong',
    PATH: '/cluster/software/bin:/usr/bin',
    SBATCH_ACCOUNT: 'nn1k',
    NOTIFY_SOCKET: '/run/user/1001/systemd/notify',
    INVOCATION_ID: 'abc',
    EMB_AGENT_CONFIG: '/x.yaml',
    SSH_AUTH_SOCK: '/tmp/ssh',
    PWD: '/',
  },
};

t.test("the agent user's environment: its own, minus the service's, with the user's names", async (t) => {
  t.same(agentUserEnv(self), {
    HOME: '/cluster/home/alice',
    PATH: '/cluster/software/bin:/usr/bin',
    SBATCH_ACCOUNT: 'nn1k',
    USER: 'alice',
    LOGNAME: 'alice',
  });
  t.equal(
    agentUserEnv({ ...self, vars: {} }).PATH,
    '/usr/local/bin:/usr/bin:/bin',
    'a PATH even without one',
  );
});

t.test('a sent environment: always over the socket, over TCP only from this host and uid', async (t) => {
  const env = { HOME: '/Users/laptop' };
  t.doesNotThrow(() => refuseForeignEnv(self, { env }, 'unix'));
  t.doesNotThrow(() => refuseForeignEnv(self, { env, client: { host: 'login-3', uid: 1001 } }, 'tcp'));
  t.doesNotThrow(() => refuseForeignEnv(self, { client: { host: 'laptop', uid: 501 } }, 'tcp'), 'none sent');
  for (const client of [{ host: 'laptop', uid: 1001 }, { host: 'login-3', uid: 1002 }, undefined]) {
    const err = t.throws(() => refuseForeignEnv(self, { env, client }, 'tcp')) as Error;
    t.ok(isAgentError(err, 'AGENT_ERR_BAD_REQUEST'));
    t.match(err.message, /--chdir DIR/);
  }
});
