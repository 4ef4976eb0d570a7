// `sbatch --version` prints "slurm 22.05.8" (Debian's build: "slurm-wlm 22.05.8"; some sites add a suffix).
import { outputError } from './records.js';
import type { SlurmVersion } from './types.js';

export function parseVersion(stdout: string): SlurmVersion {
  const line = stdout.split('\n').find((l) => l.trim() !== '') ?? '';
  const m = /^\s*slurm(?:-wlm)?\s+((\d+)\.(\d+)(?:\.\d+)?\S*)\s*$/i.exec(line);
  if (!m || m[1] === undefined) throw outputError('sbatch', 1, 'expected "slurm X.Y.Z" from --version', line);
  return { text: m[1], major: Number(m[2]), minor: Number(m[3]) };
}

/** True when the version is at least major.minor (Slurm numbers releases YY.MM). */
export function atLeast(v: SlurmVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}
