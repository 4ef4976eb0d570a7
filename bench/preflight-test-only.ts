// Bench: what preflight's `sbatch --test-only` costs per submission on the real cluster, through the agent's
// own adapter: median ms of --test-only, of a real `sbatch --parsable --hold` (cancelled at once), and of
// `sbatch --version` (spawning the command, no controller), with the ratios. The partition table's checks
// are pure and timed too. `npx tsx bench/preflight-test-only.ts [runs]` (default 21).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../agent/log.js';
import { jobFacts } from '../agent/preflight/facts.js';
import { BETZY } from '../agent/preflight/profile.js';
import { checkJob } from '../agent/preflight/rules.js';
import { SlurmAdapter } from '../agent/slurm/adapter.js';

const runs = Number(process.argv[2] ?? 21);
const dir = mkdtempSync(path.join(tmpdir(), 'emb-bench-preflight-'));
writeFileSync(path.join(dir, 'job.sh'), '#!/bin/bash\n#SBATCH --partition=normal\ntrue\n');
const adapter = new SlurmAdapter({ timeoutMs: 30_000, logger: silentLogger() });
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const req = (extra: string[]) => ({
  args: ['-t', '10', '-o', '/dev/null', ...extra, 'job.sh'],
  cwd: dir,
  env,
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const testOnly: number[] = [];
const submit: number[] = [];
const version: number[] = [];
const table: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    testOnly.push(await time(() => adapter.testOnly(req([]))));
    submit.push(
      await time(async () => {
        const { jobId } = await adapter.submit(req(['--hold']));
        await adapter.cancel(jobId);
      }),
    );
    // A fresh adapter each time: version() is cached per instance.
    version.push(await time(() => new SlurmAdapter({ timeoutMs: 30_000, logger: silentLogger() }).version()));
    table.push(await time(async () => checkJob(jobFacts(req([]).args, ['--partition=normal'], dir), BETZY)));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const m = {
  testOnly: median(testOnly),
  submit: median(submit),
  version: median(version),
  table: median(table),
};
console.log(`runs: ${runs}`);
console.log(`sbatch --test-only      ${m.testOnly.toFixed(1)} ms median`);
console.log(`sbatch --hold + scancel ${m.submit.toFixed(1)} ms median`);
console.log(`sbatch --version        ${m.version.toFixed(1)} ms median (spawn only)`);
console.log(`partition table check   ${m.table.toFixed(3)} ms median`);
console.log(`ratio test-only / submit+cancel: ${(m.testOnly / m.submit).toFixed(2)}`);
console.log(`ratio test-only / spawn only:    ${(m.testOnly / m.version).toFixed(2)}`);
