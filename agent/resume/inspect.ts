// Gathers the facts the policy needs about an ended attempt: markers on disk and what its log says.
import type { AttemptRow, SubmissionRow } from '../db/repos/index.js';
import type { Logger } from '../log.js';
import {
  DEFAULT_CHECKPOINT_RE,
  DEFAULT_PROGRESS_RE,
  donePathPresent,
  progressSince,
  scanLog,
} from './markers.js';

export interface LogDiagnosis {
  cause: string;
  hint: string;
  line?: string | undefined;
}

export interface InspectDeps {
  logger: Logger;
  /** The diagnosis rules: the most telling diagnosis among the given lines, or null. */
  diagnose(lines: string[]): LogDiagnosis | null;
  defaultCheckpointRegex: string | undefined;
}

export interface Inspection {
  doneMarkerPresent: boolean | null;
  checkpointSeen: boolean;
  progressMade: boolean | null;
  diagnosis: LogDiagnosis | null;
}

/** Lines kept for diagnosis: the first and last ones of the log, where errors and stepd lines sit. */
const KEEP_HEAD = 200;
const KEEP_TAIL = 400;

export async function inspectAttempt(
  d: InspectDeps,
  sub: SubmissionRow,
  index: number,
  attempt: AttemptRow,
): Promise<Inspection> {
  const checkpoint = new RegExp(
    sub.checkpointRegex ?? d.defaultCheckpointRegex ?? DEFAULT_CHECKPOINT_RE.source,
    'i',
  );
  const doneLog = sub.doneMarker?.startsWith('log:') ? new RegExp(sub.doneMarker.slice(4)) : null;
  const head: string[] = [];
  const tail: string[] = [];
  const keep = (line: string) => {
    if (head.length < KEEP_HEAD) head.push(line);
    else {
      tail.push(line);
      if (tail.length > KEEP_TAIL) tail.shift();
    }
  };
  let checkpointSeen = attempt.checkpointSeen;
  let progressLines = attempt.progressLines;
  let doneSeen = false;
  let logRead = false;
  const logs = [...new Set([attempt.stdoutPath, attempt.stderrPath].filter((p): p is string => p !== null))];
  for (const file of logs) {
    try {
      const scan = await scanLog(file, {
        checkpoint,
        progress: DEFAULT_PROGRESS_RE,
        done: doneLog,
        onLine: keep,
      });
      if (!scan) continue;
      logRead = true;
      checkpointSeen ||= scan.checkpointSeen;
      progressLines = Math.max(progressLines, scan.progressLines);
      doneSeen ||= scan.doneSeen;
    } catch (err) {
      d.logger.warn({ err, file }, 'could not read a task log');
    }
  }
  let doneMarkerPresent: boolean | null = null;
  if (doneLog) doneMarkerPresent = doneSeen;
  else if (sub.doneMarker) doneMarkerPresent = await donePathPresent(sub.cwd, sub.doneMarker, index);

  // A configured progress pattern is the authority; without one, the log's progress lines stand in.
  const startedMs = attempt.startedAt === null ? null : attempt.startedAt * 1000;
  let progressMade: boolean | null = null;
  if (sub.progress) {
    if (startedMs !== null) progressMade = await progressSince(sub.cwd, sub.progress, index, startedMs);
  } else if (logRead) {
    progressMade = progressLines > 0;
  }
  return { doneMarkerPresent, checkpointSeen, progressMade, diagnosis: d.diagnose([...head, ...tail]) };
}
