// The facts about an ended attempt that live on disk: its done marker, its progress files and its log.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** A log line that mentions SIGTERM or a saved checkpoint (design.md §2). */
export const DEFAULT_CHECKPOINT_RE =
  /\bSIGTERM\b|\b(saved?|saving|wrote|writing|written|stored)\b.{0,60}\bcheckpoint|\bcheckpoint\b.{0,60}\b(saved|written|stored)\b/i;

/** Lines that show a job getting somewhere: written output, epochs, steps, progress reports. */
export const DEFAULT_PROGRESS_RE = /\b(wrote|written|saved|finished|epoch\s*\d+|step\s*\d+|progress)\b/i;

/** Logs are read at most this far when an attempt ends (a bound against runaway logs). */
const MAX_LOG_BYTES = 64 * 1024 * 1024;
/** Longer lines are cut: a binary blob must not be held whole. */
const MAX_LINE = 64 * 1024;

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

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
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
  const re = wild ? globToRegExp(base) : null;
  for (const name of names) {
    if (re && !re.test(name)) continue;
    try {
      if ((await stat(path.join(dir, name))).mtimeMs >= sinceMs) return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return false;
}

export interface LogScan {
  checkpointSeen: boolean;
  progressLines: number;
  doneSeen: boolean;
  /** Each line, for the diagnosis rules. */
  lines: number;
}

/** Scans a log once, line by line, for the checkpoint marker, progress lines and an optional done regex. */
export async function scanLog(
  file: string,
  opts: { checkpoint: RegExp; progress: RegExp; done: RegExp | null; onLine?: (line: string) => void },
): Promise<LogScan | null> {
  const out: LogScan = { checkpointSeen: false, progressLines: 0, doneSeen: false, lines: 0 };
  let stream;
  try {
    await stat(file);
    stream = createReadStream(file, { end: MAX_LOG_BYTES - 1, encoding: 'utf8' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const raw of rl) {
    const line = raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw;
    out.lines++;
    // A checkpoint line is not progress by itself: a job that only ever saves where it stands is stalled.
    if (opts.checkpoint.test(line)) out.checkpointSeen = true;
    else if (opts.progress.test(line)) out.progressLines++;
    if (opts.done?.test(line)) out.doneSeen = true;
    opts.onLine?.(line);
  }
  return out;
}
