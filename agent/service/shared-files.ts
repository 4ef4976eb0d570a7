// File operations that stay atomic when several hosts share the filesystem (Lustre, NFS): complete temp
// files published with link() (create-if-absent) or rename() (replace), and "move aside, check, put back"
// for removals. The lease is built on these.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { Logger } from '../log.js';
import { errnoOf, loggable } from '../errors.js';

/** Is the pid alive on this host? EPERM means alive but someone else's (a reused pid). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
}

/** The file's text, or null if it does not exist. */
export async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw err;
  }
}

/** Writes `text` to a fresh temp file beside `target` (same directory, so link/rename stay on one fs). */
async function writeTemp(target: string, tag: string, text: string): Promise<string> {
  const tmp = `${target}.${tag}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(text);
    // A crash must not publish an empty file under the real name.
    await fh.datasync();
  } finally {
    await fh.close();
  }
  return tmp;
}

export async function unlinkQuietly(file: string, logger: Logger): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') logger.warn({ err: loggable(err), file }, 'could not remove a side file');
  }
}

/** Creates `target` holding `text` unless it exists (false then). Atomic on NFS too. */
export async function createExclusive(
  target: string,
  text: string,
  tag: string,
  logger: Logger,
): Promise<boolean> {
  const tmp = await writeTemp(target, tag, text);
  try {
    await fs.link(tmp, target);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    // NFS: the server may have made the link and lost the reply; the temp file's link count tells.
    const st = await fs.stat(tmp).catch(() => null);
    if (st?.nlink === 2) return true;
    throw err;
  } finally {
    await unlinkQuietly(tmp, logger);
  }
}

/** Replaces (or creates) `target` with `text`; readers see the old or the new text, never a mix. */
export async function replaceAtomically(
  target: string,
  text: string,
  tag: string,
  logger: Logger,
): Promise<void> {
  const tmp = await writeTemp(target, tag, text);
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await unlinkQuietly(tmp, logger);
    throw err;
  }
}

/**
 * Removes `file` if `isOurs(its text)`: renames it to `aside` first, so what is judged is exactly what is
 * removed; if it turns out to be someone else's (replaced in between) it is linked back, unless a newer
 * file already took its place. Returns whether ours was removed (false also when there was no file).
 */
export async function removeIfOurs(
  file: string,
  aside: string,
  isOurs: (text: string) => boolean,
  logger: Logger,
): Promise<boolean> {
  try {
    await fs.rename(file, aside);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return false;
    throw err;
  }
  try {
    const ours = isOurs(await fs.readFile(aside, 'utf8'));
    if (!ours) {
      try {
        await fs.link(aside, file);
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw err;
      }
    }
    return ours;
  } finally {
    await unlinkQuietly(aside, logger);
  }
}
