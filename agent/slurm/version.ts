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

/** SubmitLine (how a lost resubmission is found again) exists in sacct from 21.08. */
const OLDEST = { major: 21, minor: 8 };
/** The newest release whose options and fields were checked in SchedMD's source (docs/slurm-versions.md). */
const NEWEST_CHECKED = { major: 25, minor: 11 };
/** Releases the integration suite runs on. */
const TESTED = ['22.05', '24.11'];

export interface VersionSupport {
  /** tested: the suite runs on it; supported: checked in the source; newer: not checked yet; unsupported. */
  level: 'tested' | 'supported' | 'newer' | 'unsupported';
  text: string;
}

const release = (v: { major: number; minor: number }) => `${v.major}.${String(v.minor).padStart(2, '0')}`;

/** What `check` and `health` say about the probed release. */
export function versionSupport(v: SlurmVersion): VersionSupport {
  const range = `${release(OLDEST)} to ${release(NEWEST_CHECKED)}; tested on ${TESTED.join(' and ')}`;
  if (!atLeast(v, OLDEST.major, OLDEST.minor)) {
    return {
      level: 'unsupported',
      text: `not supported: sacct before 21.08 has no SubmitLine, which the agent needs (supported: ${range})`,
    };
  }
  const newer =
    v.major > NEWEST_CHECKED.major || (v.major === NEWEST_CHECKED.major && v.minor > NEWEST_CHECKED.minor);
  if (newer) {
    return {
      level: 'newer',
      text: `newer than the newest release checked (${range}): expected to work, please report problems`,
    };
  }
  return { level: TESTED.includes(release(v)) ? 'tested' : 'supported', text: `supported (${range})` };
}
