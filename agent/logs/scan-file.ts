// One-shot reading of a whole log, for a task that ended before the agent followed it (found after a
// restart, or adopted): what would the watcher have seen?
import { stat } from 'node:fs/promises';
import type { Diagnoser } from '../diagnose/diagnose.js';
import { AgentError } from '../errors.js';
import { LogSummary, type LogFacts } from './summary.js';
import { LogTailer } from './tailer.js';
import { DEFAULT_CHECKPOINT_REGEX, DEFAULT_PROGRESS_REGEX, statelessRegex } from './line-meaning.js';

export interface ScanOptions {
  diagnoser: Diagnoser;
  checkpointRegex?: RegExp;
  /** Most bytes read. A larger log is read at its head (1/8) and its end (7/8): errors and markers sit there. */
  maxBytes?: number;
}

export interface ScanResult extends LogFacts {
  path: string;
  missing: boolean;
  /** The middle of a log larger than maxBytes was skipped: progressLines counts only what was read. */
  partial: boolean;
}

const DEFAULT_MAX = 64 * 1024 * 1024;

export async function scanFile(path: string, opts: ScanOptions): Promise<ScanResult> {
  const summary = new LogSummary({
    checkpoint: statelessRegex(opts.checkpointRegex ?? DEFAULT_CHECKPOINT_REGEX),
    progress: statelessRegex(DEFAULT_PROGRESS_REGEX),
    diagnoser: opts.diagnoser,
  });
  let size: number;
  try {
    const st = await stat(path);
    // A directory, FIFO or device is no log (see LogTailer): nothing was written there to read.
    if (!st.isFile()) return { ...summary.facts, path, missing: true, partial: false };
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ...summary.facts, path, missing: true, partial: false };
    }
    throw new AgentError('AGENT_ERR_INTERNAL', `cannot stat log ${path}`, { cause: err });
  }
  const max = opts.maxBytes ?? DEFAULT_MAX;
  const partial = size > max;
  const head = partial ? Math.floor(max / 8) : size;
  const chunk = (limit: number) => Math.min(1024 * 1024, Math.max(limit, 4096));
  await readRange(new LogTailer(path, { maxReadBytes: chunk(head) }), head, summary);
  if (partial) {
    const rest = max - head;
    await readRange(new LogTailer(path, { startAt: size - rest, maxReadBytes: chunk(rest) }), rest, summary);
  }
  return { ...summary.facts, path, missing: false, partial };
}

/** Feeds up to `limit` bytes of the tailer's file into the summary, and the unterminated last line. */
async function readRange(tailer: LogTailer, limit: number, summary: LogSummary): Promise<void> {
  const from = tailer.offset;
  for (;;) {
    const r = await tailer.read();
    summary.facts.bytesRead += r.bytesRead;
    summary.facts.cutLines += r.cutLines;
    summary.ingest(r.lines);
    // Bytes consumed, not bytes read: each read re-reads a few bytes before the offset (the rewrite check),
    // and counting those stopped short of the log's last lines, where the end banner and checkpoint are.
    if (!r.more || tailer.offset - from >= limit) break;
  }
  const last = tailer.takePartial();
  if (last !== null) summary.ingest([last]);
}
