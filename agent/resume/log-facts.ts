// What an ended attempt's log said: the watcher's running summary when it followed the log, or one
// bounded read of the whole log when it did not (the attempt ended before the agent started, or adopted).
import type { AttemptRow } from '../db/repos/index.js';
import type { Diagnoser } from '../diagnose/diagnose.js';
import type { LogWatch } from '../logs/log-watch.js';
import { scanFile } from '../logs/scan-file.js';
import { tailFiles } from '../logs/tail-text.js';
import type { LogFacts } from '../logs/summary.js';
import type { LogFactsView } from './inspect.js';

function pathsOf(a: AttemptRow): string[] {
  return [...new Set([a.stdoutPath, a.stderrPath].filter((p): p is string => p !== null))];
}

function view(
  facts: LogFacts[],
  diagnoser: Diagnoser,
  read: boolean,
  lines: () => Promise<string[]>,
): LogFactsView {
  let diagnosis: LogFactsView['diagnosis'] = null;
  for (const f of facts) if (f.diagnosis && diagnoser.prefer(diagnosis, f.diagnosis)) diagnosis = f.diagnosis;
  return {
    read,
    checkpointSeen: facts.some((f) => f.checkpointSeen),
    progressLines: facts.reduce((n, f) => n + f.progressLines, 0),
    diagnosis,
    matches: async (re) => (await lines()).some((l) => re.test(l)),
  };
}

export async function attemptLogFacts(
  watch: LogWatch,
  diagnoser: Diagnoser,
  attempt: AttemptRow,
  checkpointRegex: RegExp,
): Promise<LogFactsView> {
  const paths = pathsOf(attempt);
  // A done marker given as a log regex is printed at the end: the last MiB of the logs is enough.
  const tailLines = async () => (await tailFiles(paths, 1024 * 1024)).split('\n');
  if (watch.status(attempt.jobId)) {
    const st = await watch.flush(attempt.jobId);
    return view([st], diagnoser, st.missing.length < st.paths.length, tailLines);
  }
  const scans = await Promise.all(paths.map((p) => scanFile(p, { diagnoser, checkpointRegex })));
  const found = scans.filter((s) => !s.missing);
  return view(found, diagnoser, found.length > 0, tailLines);
}
