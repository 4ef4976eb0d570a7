// Marker and progress patterns over paths: every part may be a glob, `**` is any depth, `{index}` is the
// array index as a whole number (task 1 never matches shard-10 or shard-0001) and `{index:04}` its padded
// form. Matching walks folders from the pattern's static prefix, reading each folder before any stat.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { globSource } from '../fs/glob.js';

const INDEX = /\{index(?::0(\d+))?\}/g;

/** The index as the pattern writes it: `{index}` plain, `{index:04}` zero-padded to 4 digits. */
function indexText(index: number, width: string | undefined): string {
  return width === undefined ? String(index) : String(index).padStart(Number(width), '0');
}

/** `{index}` replaced, for a pattern used as a plain path (no wildcards). */
export function expandIndex(pattern: string, index: number): string {
  return pattern.replace(INDEX, (_, w: string | undefined) => indexText(index, w));
}

/** True when a path part needs matching rather than a lookup. */
function isWild(part: string): boolean {
  return /[*?[{]/.test(part.replace(INDEX, ''));
}

/** One path part as an anchored regex; the index matches only where no digit touches it. */
function partRegex(part: string, index: number): RegExp {
  let src = '';
  let last = 0;
  for (const m of part.matchAll(INDEX)) {
    src += globSource(part.slice(last, m.index));
    src += `(?<![0-9])${indexText(index, m[1])}(?![0-9])`;
    last = m.index + m[0].length;
  }
  src += globSource(part.slice(last));
  const hidden = part.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hidden}${src}$`, 'u');
}

async function entries(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).map((e) => ({ name: e.name, dir: e.isDirectory() }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/**
 * Every existing path the pattern (absolute, or relative to cwd) names for this index. Without wildcards
 * that is the path itself when it exists. Folders are read once each; nothing is statted here.
 */
export async function matchPaths(cwd: string, pattern: string, index: number): Promise<string[]> {
  const abs = path.resolve(cwd, pattern);
  const parts = abs.split('/').slice(1);
  const first = parts.findIndex(isWild);
  if (first < 0) {
    const p = expandIndex(abs, index);
    return (await exists(p)) ? [p] : [];
  }
  const base = `/${parts
    .slice(0, first)
    .map((x) => expandIndex(x, index))
    .join('/')}`;
  const out: string[] = [];
  const walk = async (dir: string, at: number): Promise<void> => {
    if (at === parts.length) {
      out.push(dir);
      return;
    }
    const part = parts[at] as string;
    if (part === '**') {
      await walk(dir, at + 1);
      for (const e of await entries(dir))
        if (e.dir && !e.name.startsWith('.')) await walk(path.join(dir, e.name), at);
      return;
    }
    if (!isWild(part)) {
      const next = path.join(dir, expandIndex(part, index));
      if (at + 1 === parts.length) {
        if (await exists(next)) out.push(next);
      } else await walk(next, at + 1);
      return;
    }
    const re = partRegex(part, index);
    for (const e of await entries(dir)) {
      if (!re.test(e.name)) continue;
      if (at + 1 === parts.length) out.push(path.join(dir, e.name));
      else if (e.dir) await walk(path.join(dir, e.name), at + 1);
    }
  };
  await walk(base, first);
  return [...new Set(out)];
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}
