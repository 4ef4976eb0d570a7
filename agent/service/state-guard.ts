// The state folder is trusted with the user's jobs: a database holding a pending intent makes the agent run
// a job as its owner. So, like ssh with ~/.ssh, the agent refuses a state folder (or a folder above it) that
// someone else owns or can write, and a state file that is someone else's, a symlink or a hard link.
import { chmodSync, lstatSync, mkdirSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { AgentError, errnoOf } from '../errors.js';
import type { Logger } from '../log.js';
import { leaseFilePath } from '../../shared/contract.js';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export interface StateCheck {
  /** Folders holding state, each checked with every folder above it. */
  dirs: string[];
  /** State files, checked when they exist. */
  files: string[];
  uid: number;
}

/** What the agent keeps in stateDir (and the API token, which may be configured elsewhere). */
export function stateCheckFor(config: Config): StateCheck {
  const db = config.dbPath;
  return {
    dirs: [...new Set([config.stateDir, path.dirname(config.api.tokenFile)])],
    files: [
      db,
      `${db}-wal`,
      `${db}-shm`,
      `${db}-journal`,
      leaseFilePath(config.stateDir),
      config.api.tokenFile,
    ],
    uid: process.getuid?.() ?? -1,
  };
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Creates `dir` and any missing folder above it, each 0700 whatever the umask. Only folders made here are
 * chmod-ed: a folder the user made stays as it is (and is judged by folderProblems).
 */
function makePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); lstatOrNull(p) === null; p = path.dirname(p)) missing.unshift(p);
  for (const p of missing) {
    try {
      mkdirSync(p, { mode: DIR_MODE });
    } catch (err) {
      // Another process (a second agent starting) made it in between: judged like any existing folder.
      if (errnoOf(err) === 'EEXIST') continue;
      throw err;
    }
    chmodSync(p, DIR_MODE);
  }
}

/**
 * Problems of `dir` and the folders above it, ssh-style: each must be owned by the user (or root, above
 * `dir`) and not writable by group or others. The walk stops at a root-owned folder that is sticky (/tmp) or
 * that only root can write (/, /home, /cluster/...): above it nobody but root can move things.
 */
function folderProblems(dir: string, uid: number): string[] {
  const problems: string[] = [];
  let p: string;
  try {
    p = realpathSync(dir);
  } catch (err) {
    return [`${dir}: cannot resolve it (${(err as Error).message})`];
  }
  for (let first = true; ; first = false) {
    const st = lstatSync(p);
    const writableByOthers = (st.mode & 0o022) !== 0;
    if (!first && st.uid === 0 && ((st.mode & 0o1000) !== 0 || !writableByOthers)) break;
    if (first && !st.isDirectory()) problems.push(`${p}: not a folder`);
    else if (st.uid !== uid && (first || st.uid !== 0)) {
      problems.push(
        `${p}: owned by uid ${st.uid}, not by you (uid ${uid}): whoever owns it can replace the agent's ` +
          'state; put stateDir in a folder of your own',
      );
    } else if (writableByOthers) {
      const fix = first ? `chmod 700 ${p}` : `chmod go-w ${p}`;
      problems.push(
        `${p}: writable by ${st.mode & 0o020 ? 'group' : ''}${(st.mode & 0o022) === 0o022 ? ' and ' : ''}` +
          `${st.mode & 0o002 ? 'others' : ''} (mode ${octal(st.mode)}): they could replace the agent's ` +
          `state and run jobs as you; fix: ${fix}`,
      );
    }
    if (p === '/') break;
    p = path.dirname(p);
  }
  return problems;
}

/** Problems of one state file: someone else's, a symlink, a hard link, not a plain file. Absent is fine. */
function fileProblems(file: string, uid: number): string[] {
  const st = lstatOrNull(file);
  if (st === null) return [];
  if (st.isSymbolicLink())
    return [`${file}: a symbolic link; the agent opens no state through a link: remove it (rm ${file})`];
  if (!st.isFile()) return [`${file}: not a plain file`];
  if (st.uid !== uid)
    return [`${file}: owned by uid ${st.uid}, not by you (uid ${uid}): someone else made it; remove it`];
  if (st.nlink > 1) {
    return [
      `${file}: has ${st.nlink} hard links, so another name elsewhere reaches it; make it single ` +
        `(cp -p ${file} ${file}.new && mv ${file}.new ${file})`,
    ];
  }
  return [];
}

/** Every problem of the state: what `emb-agent check` prints, and what makes `run` refuse to start. */
export function stateProblems(check: StateCheck): string[] {
  const problems = check.dirs.flatMap((d) => (lstatOrNull(d) === null ? [] : folderProblems(d, check.uid)));
  for (const f of check.files) problems.push(...fileProblems(f, check.uid));
  return [...new Set(problems)];
}

/**
 * Before anything is read from it: creates the state folders (0700), refuses unsafe state with every
 * problem and its fix, and sets the agent's own files back to 0600 if an older build left them readable.
 */
export function guardState(check: StateCheck, logger: Logger): void {
  for (const d of check.dirs) makePrivateDir(d);
  const problems = stateProblems(check);
  if (problems.length) {
    throw new AgentError(
      'AGENT_ERR_CONFIG',
      `refusing to use state that others could have changed:\n  - ${problems.join('\n  - ')}`,
      { details: { problems } },
    );
  }
  for (const f of check.files) {
    const st = lstatOrNull(f);
    if (st === null || (st.mode & 0o077) === 0) continue;
    chmodSync(f, FILE_MODE);
    logger.warn({ file: f, was: octal(st.mode) }, 'state file was readable by others; set it to 0600');
  }
}
