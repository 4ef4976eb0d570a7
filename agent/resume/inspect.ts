// Gathers the facts the policy needs about an ended attempt: markers on disk and what its log said.
import type { Diagnosis } from '../api/diagnosis.js';
import type { AttemptRow, SubmissionRow } from '../db/repos/index.js';
import { compileLinearRegex } from '../text/linear-regex.js';
import { donePathPresent, progressSince } from './marker-files.js';

export type LogDiagnosis = NonNullable<Diagnosis>;

export interface LogFactsView {
  /** Whether any log of the attempt could be read at all. */
  read: boolean;
  checkpointSeen: boolean;
  progressLines: number;
  diagnosis: LogDiagnosis | null;
  /** Lines of the log, for a done marker given as "log:REGEX" (only asked for then). */
  matches(re: RegExp): Promise<boolean>;
}

export interface InspectDeps {
  /** What the attempt's log said: from the watcher when it followed the log, else read once now. */
  logFacts(attempt: AttemptRow, sub: SubmissionRow): Promise<LogFactsView>;
  /** Shards in the watched shard folders, named for this index, written since sinceMs. */
  shardsSince(index: number, sinceMs: number): number;
}

export interface Inspection {
  doneMarkerPresent: boolean | null;
  checkpointSeen: boolean;
  progressMade: boolean | null;
  diagnosis: LogDiagnosis | null;
}

export async function inspectAttempt(
  d: InspectDeps,
  sub: SubmissionRow,
  index: number,
  attempt: AttemptRow,
): Promise<Inspection> {
  const log = await d.logFacts(attempt, sub);
  const checkpointSeen = attempt.checkpointSeen || log.checkpointSeen;
  let doneMarkerPresent: boolean | null = null;
  // A user pattern: RE2, linear time (submit and config refuse what it cannot compile).
  if (sub.doneMarker?.startsWith('log:'))
    doneMarkerPresent = await log.matches(compileLinearRegex(sub.doneMarker.slice(4), '', 'doneMarker'));
  else if (sub.doneMarker) doneMarkerPresent = await donePathPresent(sub.cwd, sub.doneMarker, index);

  // A configured progress pattern is the authority; without one, the log's progress lines and new shards
  // in the watched shard folders stand in.
  const startedMs = attempt.startedAt === null ? null : attempt.startedAt * 1000;
  let progressMade: boolean | null = null;
  if (sub.progress) {
    if (startedMs !== null) progressMade = await progressSince(sub.cwd, sub.progress, index, startedMs);
  } else {
    const shards = startedMs === null ? 0 : d.shardsSince(index, startedMs);
    if (log.progressLines > 0 || shards > 0) progressMade = true;
    else if (log.read) progressMade = false;
  }
  return { doneMarkerPresent, checkpointSeen, progressMade, diagnosis: log.diagnosis };
}
