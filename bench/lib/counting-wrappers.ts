// A folder of Slurm commands that count themselves: each appends its name to a log and execs the real one.
// Point the agent's slurm.binDir at it to count what reaches Slurm, whatever the agent itself counts.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const COMMANDS = ['sbatch', 'squeue', 'sacct', 'scancel', 'scontrol'] as const;
export type Cmd = (typeof COMMANDS)[number];

/** The real command's path, found on PATH. */
export function realPath(cmd: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (r.status !== 0 || !p) throw new Error(`${cmd} is not on PATH`);
  return p;
}

export function makeWrappers(dir: string, log: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(log, '');
  for (const cmd of COMMANDS) {
    const f = path.join(dir, cmd);
    writeFileSync(f, `#!/bin/sh\necho ${cmd} >> '${log}'\nexec '${realPath(cmd)}' "$@"\n`);
    chmodSync(f, 0o755);
  }
}

/** Calls so far, by command. */
export function wrapperCounts(log: string): Record<Cmd, number> {
  const counts = Object.fromEntries(COMMANDS.map((c) => [c, 0])) as Record<Cmd, number>;
  for (const line of readFileSync(log, 'utf8').split('\n')) if (line) counts[line as Cmd]++;
  return counts;
}
