// Bench: start-up of emb-client against an agent holding 10,000 tasks, as ratios to a bare `node -e ''`:
// the single-file bundle (dist/emb-client.mjs, what a laptop runs) and the tsc build (dist/client/cli.js,
// what `npm install` links), for `ls`, `ls --json` and `--version` (no agent at all), over TCP (a tunnel:
// the listener check reads /proc/net/tcp and asks the agent for its proof first) and over the agent's unix
// socket (the default on the login node).
// Aim (#15): bundle ls ≤ ×1.3. Run `npm run build` first; then `npx tsx bench/client-start.ts [runs]`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../agent/http/app.js';
import { makeDeps, openRepos, seed, TOKEN } from '../test/helpers/http-fixtures.js';
import { median } from './lib/bench-util.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist/emb-client.mjs');
const built = path.join(root, 'dist/client/cli.js');
const runs = Number(process.argv[2] ?? 15);

const TIME = '/usr/bin/time';

/** Wall time, and CPU time (user + sys, from GNU time when installed): on a busy login node CPU is steadier. */
function timeRun(args: string[]): Promise<{ ms: number; cpuMs: number | null; code: number | null }> {
  const withTime = existsSync(TIME);
  const [cmd, argv] = withTime
    ? [TIME, ['-f', '@cpu %U %S', process.execPath, ...args]]
    : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], cwd: tmpdir() });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const m = /@cpu (\S+) (\S+)\s*$/.exec(err);
      if (!withTime || !m) process.stderr.write(err);
      resolve({ ms, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : null, code });
    });
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  for (const f of [bundle, built])
    if (!existsSync(f)) throw new Error(`${f} is missing: run npm run build first`);
  const dir = mkdtempSync(path.join(tmpdir(), 'emb-bench-'));
  try {
    const repos = openRepos(dir);
    seed(repos, { tasks: [6000, 3000, 1000] });
    const tokenFile = path.join(dir, 'api-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const app = buildApp(makeDeps(repos));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const base = ['--url', url, '--token-file', tokenFile];
    // The same agent on a socket too, in a folder only this user may write (the client checks that).
    const sockDir = path.join(dir, 'run');
    mkdirSync(sockDir, { mode: 0o700 });
    const socketPath = path.join(sockDir, 'agent.sock');
    const sockApp = buildApp(makeDeps(repos));
    await sockApp.listen({ path: socketPath });
    const sock = ['--url', `unix:${socketPath}`, '--token-file', tokenFile];
    const cmds: Record<string, string[]> = {
      'node -e ""': ['-e', ''],
      'bundle --version': [bundle, '--version'],
      'bundle ls': [bundle, ...base, 'ls'],
      'bundle ls --json': [bundle, ...base, '--json', 'ls'],
      'bundle ls (socket)': [bundle, ...sock, 'ls'],
      'tsc build --version': [built, '--version'],
      'tsc build ls': [built, ...base, 'ls'],
    };
    const series = Object.fromEntries(Object.keys(cmds).map((k) => [k, [] as number[]]));
    const cpu = Object.fromEntries(Object.keys(cmds).map((k) => [k, [] as number[]]));
    // One warm-up each (the agent's list cache too), then alternate so load drifts hit every series alike.
    for (const args of Object.values(cmds)) await timeRun(args);
    for (let i = 0; i < runs; i++) {
      for (const [name, args] of Object.entries(cmds)) {
        const r = await timeRun(args);
        if (r.code !== 0) throw new Error(`${name} exited with ${r.code}`);
        (series[name] as number[]).push(r.ms);
        if (r.cpuMs !== null) (cpu[name] as number[]).push(r.cpuMs);
      }
    }
    const bare = median(series['node -e ""'] as number[]);
    const bareCpu = mean(cpu['node -e ""'] as number[]);
    const hasCpu = (cpu['node -e ""'] as number[]).length > 0;
    console.log(`emb-client start-up, 10,000 tasks, ${runs} alternating runs, as ratios to node -e '':`);
    console.log(`  ${''.padEnd(20)} wall (median)${hasCpu ? '  CPU user+sys (mean)' : ''}`);
    for (const [name, xs] of Object.entries(series)) {
      const c = hasCpu ? `  ×${(mean(cpu[name] as number[]) / bareCpu).toFixed(2)}` : '';
      console.log(`  ${name.padEnd(20)} ×${(median(xs) / bare).toFixed(2).padEnd(12)}${c}`);
    }
    const ratio = median(series['bundle ls'] as number[]) / bare;
    console.log(`aim: bundle ls ≤ ×1.3: ${ratio <= 1.3 ? 'met' : 'NOT met'} (×${ratio.toFixed(2)})`);
    await sockApp.close();
    await app.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
