// Runs the built agent as a real process on a free port with its own state folder, and the built client
// against it: what a user does, end to end.
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';

const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const AGENT_CLI = path.join(ROOT, 'dist/agent/cli.js');
export const CLIENT_CLI = path.join(ROOT, 'dist/client/cli.js');

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

export interface AgentHandle {
  dir: string;
  /** When the test started this agent (ms). */
  startedAt: number;
  configPath: string;
  stateDir: string;
  url: string;
  proc: ChildProcess;
  /** Everything the agent wrote to stdout and stderr so far. */
  output(): string;
  client(
    args: string[],
    opts?: { cwd?: string; env?: NodeJS.ProcessEnv },
  ): Promise<{ stdout: string; stderr: string; code: number }>;
  clientJson<T>(args: string[]): Promise<T>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startAgent(
  dir: string,
  config: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<AgentHandle> {
  const startedAt = Date.now();
  const port = await freePort();
  const stateDir = path.join(dir, 'state');
  const workRoot = path.join(dir, 'work');
  mkdirSync(path.join(workRoot, 'logs'), { recursive: true });
  mkdirSync(path.join(workRoot, 'outputs/shards'), { recursive: true });
  const doc = {
    workRoot,
    stateDir,
    api: { listen: `127.0.0.1:${port}` },
    slurm: { pollSeconds: 2 },
    watch: { pollSeconds: 1, logPollSeconds: 1 },
    resume: { batchWindowSeconds: 1 },
    log: { level: 'debug' },
    ...config,
  };
  const configPath = path.join(dir, 'config.yaml');
  writeFileSync(configPath, stringify(doc));
  const proc = spawn(process.execPath, [AGENT_CLI, 'run', '--config', configPath], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  // A test may put the state elsewhere (a small tmpfs): the token is where the config says.
  const tokenFile = path.join(String(doc.stateDir), 'api-token');
  const handle: AgentHandle = {
    dir,
    startedAt,
    configPath,
    stateDir,
    url,
    proc,
    output: () => out,
    async client(args, opts = {}) {
      try {
        const r = await run(process.execPath, [CLIENT_CLI, '--config', configPath, ...args], {
          cwd: opts.cwd ?? dir,
          env: { ...process.env, ...opts.env },
          maxBuffer: 64 * 1024 * 1024,
        });
        return { stdout: r.stdout, stderr: r.stderr, code: 0 };
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; code?: number };
        return {
          stdout: e.stdout ?? '',
          stderr: e.stderr ?? '',
          code: typeof e.code === 'number' ? e.code : 1,
        };
      }
    },
    async clientJson<T>(args: string[]) {
      const r = await handle.client(['--json', ...args]);
      if (r.code !== 0) throw new Error(`emb-client ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async stop(signal = 'SIGTERM') {
      cancelJobsFrom(dir);
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = (await once(proc, 'exit')) as [number | null];
      return code;
    },
  };
  // Ready when the token exists and health answers.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the agent exited ${proc.exitCode} at start:\n${out}`);
    if (existsSync(tokenFile) && (await handle.client(['health'])).code === 0) break;
    if (Date.now() > deadline) {
      await handle.stop('SIGKILL');
      throw new Error(`the agent did not become ready in 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return handle;
}

/**
 * Cancels every job still queued or running from this folder or below it, so a test's leftovers cannot
 * write into the next run's fixture folder (tap reuses folder names across runs). Arrays are named by their
 * base id (%F): scancel refuses the "1234_[5-9%2]" form squeue prints for a pending remainder.
 * Returns the ids cancelled.
 */
export function cancelJobsFrom(dir: string): string[] {
  const r = spawnSync('squeue', ['--noheader', '--format=%F|%Z'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) {
    console.error(`squeue failed while cleaning up ${dir}: ${r.stderr || r.error?.message}`);
    return [];
  }
  const ids = [
    ...new Set(
      r.stdout
        .split('\n')
        .map((l) => l.split('|'))
        .filter(([, wd]) => wd === dir || (wd ?? '').startsWith(`${dir}/`))
        .map(([id]) => id as string),
    ),
  ];
  if (ids.length) {
    const c = spawnSync('scancel', ids, { encoding: 'utf8', timeout: 30_000 });
    if (c.status !== 0) console.error(`scancel ${ids.join(' ')}: ${c.stderr.trim()}`);
  }
  return ids;
}
