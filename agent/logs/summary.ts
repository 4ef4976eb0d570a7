// What the agent knows about one task's log so far, and which of a batch of line events are worth emitting.
import type { Diagnosis } from '../api/diagnosis.js';
import { classifyLine, type LineEvent, type LineMatchers } from './line-meaning.js';

export interface LogFacts {
  checkpointSeen: boolean;
  /** The last checkpoint line seen. */
  checkpointLine: string | null;
  progressLines: number;
  lastProgressLine: string | null;
  /** The most severe diagnosis seen (first of equals); see Diagnoser.prefer. */
  diagnosis: Diagnosis | null;
  /** Slurm's end-of-job banner, when seen. */
  endLine: string | null;
  bytesRead: number;
  /** Lines longer than the line limit, cut. */
  cutLines: number;
}

function emptyFacts(): LogFacts {
  return {
    checkpointSeen: false,
    checkpointLine: null,
    progressLines: 0,
    lastProgressLine: null,
    diagnosis: null,
    endLine: null,
    bytesRead: 0,
    cutLines: 0,
  };
}

export class LogSummary {
  readonly facts: LogFacts = emptyFacts();
  private readonly emittedCauses = new Set<string>();

  constructor(private matchers: LineMatchers) {}

  setMatchers(matchers: LineMatchers): void {
    this.matchers = matchers;
  }

  /**
   * Folds a batch of lines into the facts and returns the events worth telling: every end line, the last
   * checkpoint and the last progress line of the batch (a chatty log must not flood the event table), and
   * the first line of each diagnosis cause. Order: checkpoint, progress, diagnoses, end, so that whoever
   * reacts to the end already knows about the checkpoint (the facts are updated before anything is returned).
   */
  ingest(lines: readonly string[]): LineEvent[] {
    const f = this.facts;
    const ends: LineEvent[] = [];
    const diagnoses: LineEvent[] = [];
    let checkpoint: LineEvent | null = null;
    let progress: LineEvent | null = null;
    for (const line of lines) {
      for (const e of classifyLine(line, this.matchers)) {
        if (e.kind === 'end') {
          f.endLine = e.line;
          ends.push(e);
        } else if (e.kind === 'checkpoint') {
          f.checkpointSeen = true;
          f.checkpointLine = e.line;
          checkpoint = e;
        } else if (e.kind === 'progress') {
          f.progressLines++;
          f.lastProgressLine = e.line;
          progress = e;
        } else if (e.diagnosis) {
          if (this.matchers.diagnoser.prefer(f.diagnosis, e.diagnosis)) f.diagnosis = e.diagnosis;
          if (!this.emittedCauses.has(e.diagnosis.cause)) {
            this.emittedCauses.add(e.diagnosis.cause);
            diagnoses.push(e);
          }
        }
      }
    }
    return [...(checkpoint ? [checkpoint] : []), ...(progress ? [progress] : []), ...diagnoses, ...ends];
  }
}
