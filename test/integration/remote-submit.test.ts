// #15.1 on the real cluster: a client on another host (played in its own UTS namespace, hostname
// "other-laptop", reaching the agent over TCP as a tunnel would) sends neither its environment nor its
// folder. Without --chdir it is refused naming --chdir; with it the job runs there with the agent user's
// environment, and `show` says so. A folder the agent cannot use is named with its errno.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { CLIENT_CLI, startAgent, type AgentHandle } from '../helpers/agent-process.js';
import { requireCluster, waitFor } from '../helpers/cluster.js';

/** The laptop's shell: its own HOME, USER and a variable only it has. */
const LAPTOP_ENV = { HOME: '/Users/laptop', USER: 'laptop', LOGNAME: 'laptop', LAPTOP_ONLY: 'yes' };

/** emb-client run with another hostname (unshare --uts), from a folder that does not exist on the agent's host. */
function remoteClient(
  agent: AgentHandle,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      [
        '--uts',
        'sh',
        '-c',
        'hostname other-laptop && exec "$@"',
        'sh',
        process.execPath,
        CLIENT_CLI,
        '--config',
        agent.configPath,
        ...args,
      ],
      { cwd: '/', env: { PATH: process.env.PATH, ...LAPTOP_ENV }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function envFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

t.test('a submit from another host runs like one from the login node', async (t) => {
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const agent = await startAgent(dir);
  t.teardown(() => agent.stop());
  const run = path.join(dir, 'work/run');
  mkdirSync(run, { recursive: true });
  const job = [
    '--',
    '-J',
    'remote-env',
    '-o',
    path.join(run, 'slurm-%j.out'),
    '--wrap',
    'env > env.txt; pwd > pwd.txt',
  ];

  const refused = await remoteClient(agent, ['submit', ...job]);
  t.equal(refused.code, 2, `a usage error: ${refused.stderr}`);
  t.match(refused.stderr, /runs on other-laptop, not as the agent's user on /);
  t.match(refused.stderr, /--chdir DIR/);

  const sent = await remoteClient(agent, ['submit', '--chdir', run, ...job]);
  t.equal(sent.code, 0, sent.stderr);
  t.match(sent.stdout, /environment: the agent user's on /);
  const jobId = /job (\d+)/.exec(sent.stdout)?.[1] as string;

  await waitFor(async () => existsSync(path.join(run, 'pwd.txt')) && existsSync(path.join(run, 'env.txt')), {
    timeoutMs: 120_000,
    what: 'the job to write its environment',
  });
  t.equal(
    readFileSync(path.join(run, 'pwd.txt'), 'utf8').trim(),
    run,
    'it ran in the folder named by --chdir',
  );
  const env = envFile(path.join(run, 'env.txt'));
  const agentUser = process.env.USER || process.env.LOGNAME || userInfo().username;
  t.equal(env.HOME, process.env.HOME, "the agent user's HOME, not the laptop's");
  t.equal(env.USER, agentUser);
  t.equal(env.LOGNAME, agentUser);
  t.notOk('LAPTOP_ONLY' in env, "nothing of the laptop's environment");
  t.notOk('EMB_AGENT_CONFIG' in env || 'NOTIFY_SOCKET' in env, "nor the agent service's own settings");

  const show = await agent.client(['show', jobId]);
  t.match(show.stdout, /environment +the agent user's \(submitted from another host\)/);
  const detail = await agent.clientJson<{ environment: string; cwd: string }>(['show', jobId]);
  t.same({ environment: detail.environment, cwd: detail.cwd }, { environment: 'agent', cwd: run });

  // The same client on the agent's host (no namespace): its own environment and folder, as before.
  const local = await agent.client(['--json', 'submit', '--', '-J', 'local-env', '--wrap', 'true'], {
    cwd: run,
    env: { LAPTOP_ONLY: 'here' },
  });
  t.equal(local.code, 0, local.stderr);
  t.equal((JSON.parse(local.stdout) as { environment: string }).environment, 'client');
});

t.test(
  'a folder the agent cannot use is named with its cause, not "exited with status unknown"',
  async (t) => {
    if (!(await requireCluster(t))) return;
    const dir = t.testdir();
    const agent = await startAgent(dir);
    t.teardown(() => agent.stop());
    const missing = '/Users/laptop/project';
    const r = await remoteClient(agent, ['submit', '--chdir', missing, '--', '--wrap', 'true']);
    t.equal(r.code, 1, r.stderr);
    t.match(r.stderr, `working directory ${missing} is not usable by the agent's user: ENOENT`);
    t.notMatch(r.stderr, /status unknown/);
  },
);
