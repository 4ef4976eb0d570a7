// emb-client as users run it: a real process against a real agent app on 127.0.0.1 and on a unix socket.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { SubmissionListSchema, type SubmitBody } from '../../../agent/api/schemas.js';
import { buildApp } from '../../../agent/http/app.js';
import type { AppDeps } from '../../../agent/http/deps.js';
import { listenApp } from '../../../agent/http/listen.js';
import { makeDeps, openRepos, seed, stubCommands, TOKEN } from '../../helpers/http-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'client/cli.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function client(args: string[], env: NodeJS.ProcessEnv = {}, cwd = root): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: env.HOME ?? '/nonexistent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function agent(
  t: { testdir(): string; teardown(fn: () => unknown): void },
  listen: 'tcp' | 'unix',
  over: Partial<AppDeps> = {},
) {
  const dir = t.testdir();
  const repos = openRepos(dir);
  seed(repos);
  const tokenFile = path.join(dir, 'api-token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const commands = stubCommands();
  const app = buildApp(makeDeps(repos, { commands, ...over }));
  t.teardown(() => app.close());
  // Socket paths are limited to 107 bytes: tap's fixture folders are longer.
  const sockDir = mkdtempSync(path.join(tmpdir(), 'emb-'));
  t.teardown(() => rmSync(sockDir, { recursive: true, force: true }));
  const where = await listenApp(
    app,
    listen === 'tcp'
      ? { kind: 'tcp', host: '127.0.0.1', port: 0 }
      : { kind: 'unix', path: path.join(sockDir, 'agent.sock') },
    { allowNonLoopback: false },
  );
  const url = listen === 'tcp' ? `http://${where}` : where;
  return { dir, url, tokenFile, commands, base: ['--url', url, '--token-file', tokenFile] };
}

t.test('over TCP: ls, --json, show, events, health', async (t) => {
  const a = await agent(t, 'tcp');
  const ls = await client([...a.base, 'ls']);
  t.equal(ls.code, 0, ls.stderr);
  t.match(ls.stdout, /^#1 {2}build_shards {2}job 1000 {2}12 tasks/m);
  t.match(ls.stdout, /^ {4}0-7 +done$/m);
  t.match(ls.stdout, /^ {4}8-9 +running +attempts 2 +job 1500_\[8-9\]$/m);
  t.match(ls.stdout, /^ {4}10 +failed +attempts 1 +job 1000_10 +disk-quota: write under/m);

  const json = await client([...a.base, '--json', 'ls']);
  t.equal(json.code, 0);
  const subs = SubmissionListSchema.parse(JSON.parse(json.stdout));
  t.match(subs[0]!.tasks[10], {
    index: 10,
    state: 'failed',
    attempts: 1,
    jobId: '1000_10',
    diagnosis: { cause: 'disk-quota' },
  });
  t.equal(subs[0]!.tasks[0]!.diagnosis, null);

  const checked = await client([...a.base, '--json', '--check', 'ls']);
  t.equal(checked.code, 0, checked.stderr);
  t.same(JSON.parse(checked.stdout), JSON.parse(json.stdout), '--check prints the same');

  const show = await client([...a.base, 'show', '1500_9']);
  t.equal(show.code, 0, show.stderr);
  t.match(show.stdout, /task 9 +running +2 attempts/);
  t.match(show.stdout, /1000_9 +TIMEOUT .* → resume/);
  const showSub = await client([...a.base, 'show', '#1']);
  t.match(showSub.stdout, /tasks not done:/);
  t.match(showSub.stdout, /events \(last 3\):/);
  const unknown = await client([...a.base, 'show', '31337']);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /AGENT_ERR_NOT_TRACKED: job 31337 is not tracked/);

  const events = await client([...a.base, 'events', '--submission', '2']);
  t.match(events.stdout, /submission\.created +#2 +2000 +submitted as job 2000/);
  const health = await client([...a.base, 'health']);
  t.match(health.stdout, /^ok: emb-agent 0\.1\.0-test on login-3/);
  const tokens = await client([...a.base, 'tokens']);
  t.equal(tokens.code, 1, 'an API error exits 1');
  t.match(tokens.stderr, /^emb-client: AGENT_ERR_NOT_FOUND: /);
});

t.test('shards and tokens: --json prints the array the table shows', async (t) => {
  const shard = {
    dir: '/w/outputs/shards/aef',
    group: null,
    missing: false,
    error: null,
    count: 12,
    bytes: 1024,
    bytesPending: 0,
    target: null,
    ratePerHour: null,
    etaSeconds: null,
    perTask: [],
    oldestAgeDays: null,
    purge: null,
    lastScanAt: null,
    lastChangeAt: null,
  };
  const token = {
    collection: 'usda-cdl',
    account: null,
    container: null,
    expiry: null,
    secondsLeft: null,
    lastRefreshAt: null,
    lastError: 'HTTP 429: Rate limit is exceeded',
    lastErrorAt: null,
    nextRefreshAt: null,
    inFlight: false,
    state: 'missing' as const,
    jsonFile: '/w/tmp/sas/usda-cdl.json',
    tokenFile: '/w/tmp/sas/usda-cdl.token',
  };
  const a = await agent(t, 'tcp', { shards: { status: () => [shard] }, tokens: { status: () => [token] } });
  const shards = await client([...a.base, 'shards']);
  t.match(shards.stdout, /^FOLDER +SHARDS/);
  t.match(shards.stdout, /\/w\/outputs\/shards\/aef +12 /);
  t.same(JSON.parse((await client([...a.base, 'shards', '--json'])).stdout), [shard]);
  const tokens = await client([...a.base, 'tokens']);
  t.match(tokens.stdout, /usda-cdl +missing .*HTTP 429: Rate limit is exceeded/);
  t.same(JSON.parse((await client([...a.base, 'tokens', '--json'])).stdout), [token]);
});

/** The fixture's health, as an agent on this host and uid answers it: a client here sends its environment. */
function onThisHost(): Partial<AppDeps> {
  const health = makeDeps(openRepos(tmpdir())).health();
  return { health: () => ({ ...health, host: hostname(), uid: process.getuid?.() ?? -1 }) };
}

t.test('commands send what the agent expects', async (t) => {
  const a = await agent(t, 'tcp', onThisHost());
  const cwd = path.join(a.dir, 'work');
  mkdirSync(cwd);
  const submit = await client(
    [
      ...a.base,
      'submit',
      '--done-marker',
      'done/{index}',
      '--max-attempts',
      '3',
      '--no-resume',
      '--',
      '--array=0-9%2',
      'job.sbatch',
    ],
    { HOME: '/h', SBATCH_ACCOUNT: 'nn1k', SSH_AUTH_SOCK: '/tmp/agent', DISPLAY: ':0' },
    cwd,
  );
  t.equal(submit.code, 0, submit.stderr);
  t.equal(submit.stdout, 'submitted #42 as job 4242\n');
  const body = a.commands.calls[0]!.arg as SubmitBody;
  t.same(body.args, ['--array=0-9%2', 'job.sbatch']);
  t.equal(body.cwd, cwd);
  t.match(body, { doneMarker: 'done/{index}', maxAttempts: 3, resume: false });
  t.equal(body.env?.SBATCH_ACCOUNT, 'nn1k');
  t.notOk('SSH_AUTH_SOCK' in body.env! || 'DISPLAY' in body.env!, 'session variables are left out');
  t.same(body.client, { host: hostname(), uid: process.getuid?.() ?? -1 }, 'it says where it runs');

  const hold = await client([...a.base, 'hold', '#1:7']);
  t.equal(hold.stdout, '#1 (tasks 7): hold #1:7\n');
  const adopt = await client([...a.base, '--json', 'adopt', '5555'], {
    HOME: '/h',
    SBATCH_ACCOUNT: 'nn1k',
    TMUX: 'x',
  });
  t.match(JSON.parse(adopt.stdout), { submissionId: 43, jobId: '5555' });
  const adoptBody = a.commands.calls.find((c) => c.method === 'adopt')!.arg as {
    jobId: string;
    env: Record<string, string>;
  };
  t.equal(adoptBody.jobId, '5555');
  t.equal(
    adoptBody.env.SBATCH_ACCOUNT,
    'nn1k',
    'adopt sends the environment that stands in for the lost one',
  );
  t.notOk('TMUX' in adoptBody.env);

  const usage = await client([...a.base, 'submit']);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /give the sbatch arguments after "--"/);
  const badTarget = await client([...a.base, 'resubmit', 'x1']);
  t.equal(badTarget.code, 2);
});

t.test('over a unix socket, found through the config file', async (t) => {
  const a = await agent(t, 'unix');
  const config = path.join(a.dir, 'config.yaml');
  writeFileSync(config, `stateDir: ${a.dir}\napi:\n  listen: ${a.url}\n`);
  const ls = await client(['--config', config, 'ls']);
  t.equal(ls.code, 0, ls.stderr);
  t.match(ls.stdout, /^#1 {2}build_shards/m);
  const viaEnv = await client(['ls', '--json'], { EMB_AGENT_URL: a.url, EMB_AGENT_TOKEN_FILE: a.tokenFile });
  t.equal(viaEnv.code, 0, viaEnv.stderr);
  t.equal(JSON.parse(viaEnv.stdout).length, 2);
});

t.test('a refused token, an unreachable agent, a missing token file', async (t) => {
  const a = await agent(t, 'tcp');
  const wrong = path.join(a.dir, 'wrong-token');
  writeFileSync(wrong, 'not-the-token\n');
  // Over TCP the agent proves it knows the token before the client sends its own: a wrong one never leaves.
  const refused = await client(['--url', a.url, '--token-file', wrong, 'ls']);
  t.equal(refused.code, 3);
  t.match(
    refused.stderr,
    new RegExp(`could not prove it knows the token in ${wrong.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
  );
  t.notMatch(refused.stderr + refused.stdout, /not-the-token|tok-/, 'no token is printed');

  const state = path.join(a.dir, 'elsewhere');
  mkdirSync(state);
  const lease = { host: 'login-3', pid: 9, listen: '127.0.0.1:8787', heartbeatAt: new Date().toISOString() };
  writeFileSync(path.join(state, 'agent.lease'), JSON.stringify(lease));
  const config = path.join(state, 'config.yaml');
  writeFileSync(config, `stateDir: ${state}\napi:\n  listen: 127.0.0.1:1\n`);
  writeFileSync(path.join(state, 'api-token'), 'x\n');
  const down = await client(['--config', config, 'ls']);
  t.equal(down.code, 3);
  t.match(
    down.stderr,
    /cannot reach the agent at http:\/\/127\.0\.0\.1:1: nothing is listening there \(ECONNREFUSED\)/,
  );
  t.match(down.stderr, /the agent runs on login-3 \(listening on 127\.0\.0\.1:8787/);
  t.match(down.stderr, /ssh -N -L 8787:127\.0\.0\.1:8787 login-3/);

  // A short path, like the listening socket's: past 107 bytes Node 22+ refuses it (EINVAL) where Node 20
  // truncated it silently, and this checks the missing socket, not the length.
  const noSockDir = mkdtempSync(path.join(tmpdir(), 'emb-'));
  t.teardown(() => rmSync(noSockDir, { recursive: true, force: true }));
  const noSocket = await client([
    '--url',
    `unix:${path.join(noSockDir, 'none.sock')}`,
    '--token-file',
    wrong,
    'ls',
  ]);
  t.equal(noSocket.code, 3);
  t.match(noSocket.stderr, /the socket does not exist \(ENOENT\)/);

  const noToken = await client(['--url', a.url, '--token-file', path.join(state, 'missing'), 'ls']);
  t.equal(noToken.code, 2);
  t.match(noToken.stderr, /cannot read the API token from .*missing \(ENOENT\)/);

  const help = await client(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: emb-client/);
  t.match(help.stdout, /adopt \[MARKERS\] JOBID/, "adopt takes submit's markers");
  t.match(help.stdout, /resubmit \[--force\] TARGET/);
  t.match(help.stdout, /logs TARGET \[--attempt N\]/);
  const none = await client([]);
  t.equal(none.code, 0, 'a bare emb-client is a request for help');
  t.equal(none.stdout, help.stdout);
});

t.test('a client on another host sends no environment and needs --chdir', async (t) => {
  // The fixture's agent runs on login-3: this client, over TCP, is elsewhere (a laptop through the tunnel).
  const a = await agent(t, 'tcp');
  const env = { HOME: '/Users/laptop', USER: 'laptop', SBATCH_ACCOUNT: 'nn1k' };
  const refused = await client([...a.base, 'submit', '--', 'job.sbatch'], env);
  t.equal(refused.code, 2, 'a usage error');
  t.match(refused.stderr, /not as the agent's user on login-3/);
  t.match(refused.stderr, /--chdir DIR/);
  t.equal(a.commands.calls.length, 0, 'nothing was sent');
  const relative = await client([...a.base, 'submit', '--chdir', 'run', '--', 'job.sbatch'], env);
  t.equal(relative.code, 2, 'a folder there must be absolute');

  const sent = await client([...a.base, 'submit', '--chdir', '/cluster/work/run', '--', 'job.sbatch'], env);
  t.equal(sent.code, 0, sent.stderr);
  const body = a.commands.calls[0]!.arg as SubmitBody;
  t.equal(body.cwd, '/cluster/work/run');
  t.notOk('env' in body, "no environment: the job gets the agent user's");
  t.same(body.client, { host: hostname(), uid: process.getuid?.() ?? -1 });
});

t.test('over the unix socket the client is on the host: --chdir is only a folder', async (t) => {
  const a = await agent(t, 'unix');
  const cwd = path.join(a.dir, 'work');
  mkdirSync(cwd);
  const sent = await client(
    [...a.base, 'submit', '--chdir', 'sub', '--', 'job.sbatch'],
    { HOME: '/h', X: '1' },
    cwd,
  );
  t.equal(sent.code, 0, sent.stderr);
  const body = a.commands.calls[0]!.arg as SubmitBody;
  t.equal(body.cwd, path.join(cwd, 'sub'), 'relative to this folder');
  t.equal(body.env?.X, '1', "this shell's environment");
});
