// scripts/emb-agent-detached.sh with stand-in commands (sleep, a shell that exits) instead of the agent.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';

const SCRIPT = path.resolve(import.meta.dirname, '../../../scripts/emb-agent-detached.sh');
const HOST = execFileSync('hostname', ['-s'], { encoding: 'utf8' }).trim();

interface Run {
  code: number;
  out: string;
}

function run(stateDir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      SCRIPT,
      args,
      {
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: stateDir,
          EMB_AGENT_STATE_DIR: stateDir,
          EMB_AGENT_START_WAIT: '1',
          ...env,
        },
      },
      (err, stdout, stderr) => {
        const pid = pidIn(stateDir);
        if (pid) spawned.add(pid);
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

function pidFile(dir: string): string | undefined {
  const f = readdirSync(dir).find((n) => /^agent\..+\.pid$/.test(n));
  return f && path.join(dir, f);
}

function pidIn(dir: string): number | undefined {
  const f = pidFile(dir);
  return f ? Number(readFileSync(f, 'utf8').split(' ')[0]) : undefined;
}

/** Running, and not a zombie waiting for init (which may be slow to reap in a container) to collect it. */
function alive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** Every process the script started, killed at the end whatever happened to the tests. */
const spawned = new Set<number>();
t.teardown(() => {
  for (const pid of spawned) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

t.test('start, status, refuse a second start, stop', async (t) => {
  const dir = t.testdir();
  t.match(await run(dir, ['status']), { code: 3, out: /not running/ });
  const started = await run(dir, ['start', '--', 'sleep', '300']);
  t.match(started, { code: 0, out: /emb-agent started on \S+ \(pid \d+\); log: .*agent\.\S+\.log/ });
  const pid = pidIn(dir);
  t.ok(pid && alive(pid), 'the detached process runs');
  const status = await run(dir, ['status']);
  t.match(status, { code: 0, out: new RegExp(`runs on \\S+ \\(pid ${pid}, started `) });
  t.match(await run(dir, ['start', '--', 'sleep', '300']), {
    code: 1,
    out: new RegExp(`already runs .*pid ${pid}.*refusing`),
  });
  t.match(await run(dir, ['ensure', '--', 'sleep', '300']), { code: 0 }, 'ensure: already running is fine');
  t.equal(pidIn(dir), pid, 'still the same process');
  t.match(await run(dir, ['stop']), { code: 0, out: new RegExp(`pid ${pid}\\) stopped`) });
  t.notOk(alive(pid!), 'stopped');
  t.equal(pidFile(dir), undefined, 'pid file removed');
  t.match(await run(dir, ['status']), { code: 3 });
  t.match(await run(dir, ['stop']), { code: 0, out: /not running/ });
  t.match(
    readFileSync(
      readdirSync(dir)
        .map((n) => path.join(dir, n))
        .find((f) => f.endsWith('.log'))!,
      'utf8',
    ),
    /starting on \S+: sleep 300/,
  );
});

t.test('a command that exits at once is reported with its status and output', async (t) => {
  const dir = t.testdir();
  const r = await run(dir, ['start', '--', 'sh', '-c', 'echo "lease held by login-3"; exit 3'], {
    EMB_AGENT_START_WAIT: '5',
  });
  t.equal(r.code, 1);
  t.match(r.out, /exited during start-up with status 3/);
  t.match(r.out, /lease held by login-3/, 'the log tail is shown');
  t.equal(pidFile(dir), undefined, 'no pid file for a dead agent');
});

t.test('a pid file naming a dead or reused pid is stale', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, `agent.${HOST}.pid`);
  // Our own pid is alive, but its start time differs: a reused pid, not the agent.
  writeFileSync(file, `${process.pid} Thu Jan  1 00:00:00 1970\n`);
  t.match(await run(dir, ['status']), { code: 3 });
  t.notOk(existsSync(file), 'the stale pid file is dropped');
  writeFileSync(file, '999999999 whenever\n');
  const r = await run(dir, ['start', '--', 'sleep', '300']);
  t.equal(r.code, 0);
  t.not(pidIn(dir), 999999999);
  t.match(await run(dir, ['stop']), { code: 0, out: /stopped/ });
});

t.test(
  'ensure leaves a fresh lease held by another login node alone, and starts after it went stale',
  async (t) => {
    const dir = t.testdir();
    const lease = path.join(dir, 'agent.lease');
    writeFileSync(
      lease,
      JSON.stringify({
        owner: 'o',
        host: 'login-9',
        pid: 42,
        listen: '127.0.0.1:8787',
        startedAt: 0,
        heartbeatAt: 0,
        version: 'x',
      }),
    );
    const fresh = await run(dir, ['ensure', '--', 'sleep', '300']);
    t.match(fresh, { code: 0, out: /runs on login-9 .*nothing to do/ });
    t.equal(pidFile(dir), undefined, 'nothing started');
    t.match(await run(dir, ['status']), {
      code: 3,
      out: /lease: held by login-9 \(pid 42, listening on 127\.0\.0\.1:8787\)/,
    });
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(lease, old, old);
    t.match(await run(dir, ['ensure', '--', 'sleep', '300']), { code: 0, out: /started/ });
    t.ok(existsSync(pidFile(dir) ?? '/nonexistent'));
    await run(dir, ['stop']);
  },
);

t.test('stop kills an agent that ignores SIGTERM after the wait', async (t) => {
  const dir = t.testdir();
  await run(dir, ['start', '--', 'bash', '-c', 'trap "" TERM; while :; do sleep 0.1; done']);
  const pid = pidIn(dir)!;
  const r = await run(dir, ['stop'], { EMB_AGENT_STOP_WAIT: '1' });
  t.match(r, { code: 0, out: /did not stop within 1 s of SIGTERM; killed it/ });
  t.notOk(alive(pid));
});

t.test('usage errors exit 2', async (t) => {
  const dir = t.testdir();
  t.match(await run(dir, []), { code: 2, out: /usage/ });
  t.match(await run(dir, ['frobnicate']), { code: 2 });
  t.match(await run(dir, ['start', 'sleep']), { code: 2 }, 'the command must follow --');
});
