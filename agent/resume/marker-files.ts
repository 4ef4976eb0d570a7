// The facts about an ended attempt that live on disk: its done marker and its progress files.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { matchPaths } from './path-pattern.js';

export { expandIndex } from './path-pattern.js';

/** True when the marker exists (any match of a pattern). A marker "log:REGEX" is looked for in the log. */
export async function donePathPresent(cwd: string, pattern: string, index: number): Promise<boolean> {
  return (await matchPaths(cwd, pattern, index)).length > 0;
}

async function mtimeMs(p: string): Promise<{ ms: number; dir: boolean } | null> {
  try {
    const st = await stat(p);
    return { ms: st.mtimeMs, dir: st.isDirectory() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Whether anything the progress pattern names changed since `sinceMs`: a matched file, or any entry of a
 * matched folder. Folders are read before any per-file stat.
 */
export async function progressSince(
  cwd: string,
  pattern: string,
  index: number,
  sinceMs: number,
): Promise<boolean> {
  for (const p of await matchPaths(cwd, pattern, index)) {
    const st = await mtimeMs(p);
    if (st === null) continue;
    if (!st.dir) {
      if (st.ms >= sinceMs) return true;
      continue;
    }
    for (const name of await readdir(p)) {
      const e = await mtimeMs(path.join(p, name));
      if (e !== null && e.ms >= sinceMs) return true;
    }
  }
  return false;
}
