// The facts about an ended attempt that live on disk: its done marker and its progress files.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compileGlob } from '../watch/glob.js';

export function expandIndex(pattern: string, index: number): string {
  return pattern.replaceAll('{index}', String(index));
}

/** True when the marker exists. A marker "log:REGEX" is looked for in the log instead of on disk. */
export async function donePathPresent(cwd: string, pattern: string, index: number): Promise<boolean> {
  try {
    await stat(path.resolve(cwd, expandIndex(pattern, index)));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Whether anything under the progress pattern changed since `sinceMs`: a file, every entry of a folder,
 * or a "*" pattern in the last path component. Reads the folder before any per-file stat.
 */
export async function progressSince(
  cwd: string,
  pattern: string,
  index: number,
  sinceMs: number,
): Promise<boolean> {
  const target = path.resolve(cwd, expandIndex(pattern, index));
  const base = path.basename(target);
  const wild = /[*?]/.test(base);
  const dir = wild ? path.dirname(target) : target;
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (!st.isDirectory()) return st.mtimeMs >= sinceMs;
  // A folder whose mtime predates the attempt gained no entries during it; only rewritten files remain.
  const names = await readdir(dir);
  const matches = wild ? compileGlob(base) : null;
  for (const name of names) {
    if (matches && !matches(name)) continue;
    try {
      if ((await stat(path.join(dir, name))).mtimeMs >= sinceMs) return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return false;
}
