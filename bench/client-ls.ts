// Bench: `emb-client ls` wall time against an agent holding 10,000 tasks, compared with a bare `node -e ''`.
// Target: ls ≤ 2× bare node. Run `npm run build` first; then `npx tsx bench/client-ls.ts [runs]`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../agent/http/app.js';
import { makeDeps, openRepos, seed, TOKEN } from '../test/helpers/http-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/client/cli.js');
const runs = Number(process.argv[2] ?? 21);

function timeRun(args: string[]): Promise<{ ms: number; bytes: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (c: Buffer) => (bytes += c.length));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, bytes, code }));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const dir = mkdtempSync(path.join(tmpdir(), 'emb-bench-'));
  try {
    const repos = openRepos(dir);
    const t0 = performance.now();
    seed(repos, { tasks: [6000, 3000, 1000] });
    const tokenFile = path.join(dir, 'api-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const app = buildApp(makeDeps(repos));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address() as { port: number };
    const url = `http://127.0.0.1:${addr.port}`;
    console.log(`seeded 10,000 tasks in ${(performance.now() - t0).toFixed(0)} ms; agent at ${url}`);

    const server: number[] = [];
    for (let i = 0; i < 10; i++) {
      const s = performance.now();
      const r = await app.inject({
        method: 'GET',
        url: '/submissions',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      server.push(performance.now() - s);
      if (i === 0) console.log(`GET /submissions: ${(r.body.length / 1024).toFixed(0)} KiB`);
    }

    const base = ['--url', url, '--token-file', tokenFile];
    const COLD = 'ls after a db write';
    const series: Record<string, number[]> = {
      'node -e ""': [],
      'emb-client ls': [],
      'emb-client ls --json': [],
      [COLD]: [],
    };
    const cmds: Record<string, string[]> = {
      'node -e ""': ['-e', ''],
      'emb-client ls': [cli, ...base, 'ls'],
      'emb-client ls --json': [cli, ...base, '--json', 'ls'],
      // The read model keeps the list until the database changes: this one pays for rebuilding it.
      [COLD]: [cli, ...base, 'ls'],
    };
    // One warm-up each, then alternate so drifts in machine load hit every series alike.
    for (const args of Object.values(cmds)) await timeRun(args);
    for (let i = 0; i < runs; i++) {
      for (const [name, args] of Object.entries(cmds)) {
        if (name === COLD) {
          const task = repos.tasks.find(1, i) as { id: number };
          repos.tasks.setState(task.id, 'done', 'bench', Date.now());
        }
        const r = await timeRun(args);
        if (r.code !== 0) throw new Error(`${name} exited with ${r.code}`);
        (series[name] as number[]).push(r.ms);
      }
    }
    const bare = median(series['node -e ""'] as number[]);
    console.log(`server side, GET /submissions (in-process inject): median ${median(server).toFixed(1)} ms`);
    console.log(`median of ${runs} runs each (alternating):`);
    for (const [name, xs] of Object.entries(series)) {
      console.log(
        `  ${name.padEnd(22)} ${median(xs).toFixed(1).padStart(7)} ms   ×${(median(xs) / bare).toFixed(2)}`,
      );
    }
    const ratio = median(series['emb-client ls'] as number[]) / bare;
    console.log(`target ls ≤ 2× bare node: ${ratio <= 2 ? 'met' : 'NOT met'} (×${ratio.toFixed(2)})`);
    await app.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
