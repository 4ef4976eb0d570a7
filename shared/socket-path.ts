// Where the API socket lives by default, and whether a socket's folder is safe: one rule for the agent (which
// listens there) and emb-client (which sends its token there). Node built-ins only: the client imports it.
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/** sun_path holds 108 bytes with the final NUL; a longer path is silently cut by the kernel. */
export const MAX_SOCKET_PATH = 107;

const SOCKET_NAME = 'agent.sock';

export interface SocketPlace {
  /** The socket's path. */
  path: string;
  /** Its folder, which the agent creates 0700 when missing. */
  folder: string;
  /** Where the rule took it from, for messages. */
  origin: 'XDG_RUNTIME_DIR' | '/tmp';
}

/** Who is asking: the uid and $XDG_RUNTIME_DIR (the callers read the environment, this module does not). */
export interface SocketOwner {
  uid: number;
  runtimeDir: string | undefined;
}

/**
 * The default socket places, best first: `$XDG_RUNTIME_DIR/emb-agent/agent.sock` when XDG_RUNTIME_DIR is the
 * user's own 0700 folder (not a symlink), then `/tmp/emb-agent-<uid>/agent.sock`. Literal /tmp, not $TMPDIR:
 * the agent (systemd, cron) and the client (an ssh session) rarely share TMPDIR, and must find the same place.
 * Both candidates are kept because they rarely share XDG_RUNTIME_DIR either: a detached agent (no
 * session) uses /tmp, and a client in a session with XDG_RUNTIME_DIR looks there second.
 */
export function defaultSocketPlaces(owner: SocketOwner): SocketPlace[] {
  const out: SocketPlace[] = [];
  const rt = owner.runtimeDir;
  if (rt && path.isAbsolute(rt) && privateFolderProblem(rt, owner.uid) === null) {
    const folder = path.join(rt, 'emb-agent');
    const p = path.join(folder, SOCKET_NAME);
    if (Buffer.byteLength(p) <= MAX_SOCKET_PATH) out.push({ path: p, folder, origin: 'XDG_RUNTIME_DIR' });
  }
  const folder = `/tmp/emb-agent-${owner.uid}`;
  out.push({ path: path.join(folder, SOCKET_NAME), folder, origin: '/tmp' });
  return out;
}

function mode(st: Stats): string {
  return `0${(st.mode & 0o7777).toString(8)}`;
}

function lstatOrNull(p: string): Stats | null | Error {
  try {
    return lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return err as Error;
  }
}

/**
 * Why `dir` is not a private folder of `uid` (a real directory, not a symlink, owned by uid, no group or
 * other access), or null when it is. A missing folder is a problem too ("does not exist").
 */
export function privateFolderProblem(dir: string, uid: number): string | null {
  const st = ownFolder(dir, uid);
  if (typeof st === 'string') return st;
  if ((st.mode & 0o077) !== 0) return `${dir} has mode ${mode(st)}; it must be 0700`;
  return null;
}

/** The folder's stat when it is a real directory (not a symlink) owned by uid, else why not. */
function ownFolder(dir: string, uid: number): Stats | string {
  const st = lstatOrNull(dir);
  if (st === null) return `${dir} does not exist`;
  if (st instanceof Error) return `cannot inspect ${dir} (${st.message})`;
  if (st.isSymbolicLink()) return `${dir} is a symbolic link`;
  if (!st.isDirectory()) return `${dir} is not a folder`;
  if (st.uid !== uid) return `${dir} belongs to uid ${st.uid}, not to you (uid ${uid})`;
  return st;
}

/**
 * Why a socket in `dir` could be someone else's (or replaced by someone else), or null when it cannot: the
 * folder itself is a real directory of uid's that no one else may write, and every folder above it (as
 * written and as resolved) belongs to uid or root and is not writable by others unless sticky (/tmp).
 */
export function socketFolderProblem(dir: string, uid: number): string | null {
  const st = ownFolder(dir, uid);
  if (typeof st === 'string') return st;
  if ((st.mode & 0o022) !== 0) return `${dir} has mode ${mode(st)}: others can write it`;
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (err) {
    return `cannot resolve ${dir} (${(err as Error).message})`;
  }
  const above = new Set([...ancestors(path.resolve(dir)), ...ancestors(real)]);
  for (const a of above) {
    let s: Stats;
    try {
      s = statSync(a);
    } catch (err) {
      return `cannot inspect ${a} (${(err as Error).message})`;
    }
    if (s.uid !== uid && s.uid !== 0) return `${a}, above ${dir}, belongs to uid ${s.uid}`;
    const sticky = (s.mode & 0o1000) !== 0;
    if ((s.mode & 0o022) !== 0 && !sticky) {
      return `${a}, above ${dir}, has mode ${mode(s)}: others can rename what it holds`;
    }
  }
  return null;
}

function ancestors(p: string): string[] {
  const out: string[] = [];
  let cur = path.dirname(p);
  for (;;) {
    out.push(cur);
    const up = path.dirname(cur);
    if (up === cur) return out;
    cur = up;
  }
}

/** Why the socket file itself is not ours, or null; a missing socket is null (the caller reports ENOENT). */
export function socketFileProblem(socketPath: string, uid: number): string | null {
  const st = lstatOrNull(socketPath);
  if (st === null) return null;
  if (st instanceof Error) return `cannot inspect ${socketPath} (${st.message})`;
  if (!st.isSocket()) return `${socketPath} is not a socket`;
  if (st.uid !== uid) return `${socketPath} belongs to uid ${st.uid}, not to you (uid ${uid})`;
  return null;
}
