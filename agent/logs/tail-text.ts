// The last bytes of log files as text for `emb-client logs`: decoded, binary-safe and scrubbed of secrets.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { AgentError } from '../errors.js';
import { scrubSecrets } from '../log.js';
import { decodeLine } from './line-text.js';

/** Upper bound on what one request may ask for, whatever it asks. */
const MAX_TAIL_BYTES = 1024 * 1024;

/** The last `maxBytes` of one file, starting at a line boundary; null when the file does not exist. */
export async function tailFile(path: string, maxBytes: number): Promise<string | null> {
  const want = Math.max(1, Math.min(Math.floor(maxBytes), MAX_TAIL_BYTES));
  let fh;
  try {
    // Non-blocking: a FIFO at the path must not hold a thread of the pool until someone writes to it.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AgentError('AGENT_ERR_INTERNAL', `cannot open log ${path}`, { cause: err });
  }
  try {
    const st = await fh.stat();
    // A directory, FIFO or device is no log: shown as not found rather than failing or blocking.
    if (!st.isFile()) return null;
    const { size } = st;
    // One byte more than asked, to know whether we start on a line boundary.
    const start = Math.max(0, size - want - 1);
    const buf = Buffer.allocUnsafe(size - start);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    let text = buf.subarray(0, got);
    if (start > 0) {
      // Started mid-line: drop the fragment rather than show half a line.
      const nl = text.indexOf(0x0a);
      text = nl >= 0 ? text.subarray(nl + 1) : text.subarray(1);
    }
    // A progress bar rewrites its line with \r: show what a terminal would show, the last version.
    const lines = splitLines(text).map((b) => lastSegment(decodeLine(b)));
    return scrubSecrets(lines.join('\n'));
  } finally {
    await fh.close();
  }
}

function lastSegment(line: string): string {
  if (!line.includes('\r')) return line;
  return (
    line
      .split('\r')
      .filter((s) => s.trim() !== '')
      .at(-1) ?? ''
  );
}

function splitLines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      out.push(buf.subarray(from, i));
      from = i + 1;
    }
  }
  if (from < buf.length) out.push(buf.subarray(from));
  return out;
}

/** Tails of several files; with more than one, each is headed `==> path <==` as tail(1) does. */
export async function tailFiles(paths: readonly string[], maxBytes: number): Promise<string> {
  const parts: string[] = [];
  for (const p of paths) {
    const text = await tailFile(p, maxBytes);
    if (paths.length === 1) return text ?? '';
    parts.push(`==> ${p}${text === null ? ' (not found)' : ''} <==\n${text ?? ''}`);
  }
  return parts.join('\n\n');
}
