// What a log line can mean to the agent: a checkpoint, progress, the end of the job, or a failure.
import type { Diagnosis } from '../api/diagnosis.js';
import type { Diagnoser } from '../diagnose/diagnose.js';
import { excerpt } from '../diagnose/diagnose.js';

/**
 * Default checkpoint marker: a line that mentions SIGTERM (Slurm's --signal=B:TERM@120 reaching the script)
 * or a checkpoint being saved. "Loading/resuming from checkpoint" must not count: a task that failed right
 * after resuming has made no new checkpoint. Words must be separated by spaces, so a path that happens to
 * contain "saved" and "checkpoint" does not count either.
 */
export const DEFAULT_CHECKPOINT_REGEX =
  /\bSIGTERM\b|\bsignal 15\b|\b(?:sav(?:ed?|ing)|wr(?:ote|iting|itten)|stor(?:ed|ing)|dump(?:ed|ing))\s+(?:\S+\s+){0,3}?checkpoint|\bcheckpoints?\s+(?:\S+\s+){0,3}?(?:saved|written|stored)\b|\bcheckpointed\b/i;

/**
 * Default progress marker: shards written, epochs, "step N/M", tqdm bars ("37%|").
 * One rule for every recipe; a script whose log says it differently names its progress files instead
 * (resume.jobDefaults.<script>.progress, `emb-client submit --progress`).
 */
export const DEFAULT_PROGRESS_REGEX =
  /\b(?:wrote|written|saved|finished|completed)\s+(?:\S+\s+){0,3}?shards?\b|\bshards?\s+(?:\S+\s+){0,2}?(?:written|saved|done|complete|completed|finished)\b|\bepoch\s*\d+|\bstep\s*\d+\s*\/\s*\d+|\b\d{1,3}%\|/i;

/**
 * Slurm's end-of-job banners: every JOB banner (cancelled or failed, with or without "DUE TO ..."), and a
 * STEP banner only when the reason ends the whole job (time limit, preemption, node failure).
 */
const END_JOB = /\*\*\*\s*JOB\s+\d[\d_]*\s+(?:ON\s+\S+\s+)?(?:CANCELLED\s+AT|FAILED\b|STEPD TERMINATED)/i;
const END_STEP =
  /\*\*\*\s*STEP\s+[\d_.]+\w*\s+(?:ON\s+\S+\s+)?CANCELLED\s+AT\s+\S+\s+DUE\s+TO\s+(?:TIME\s+LIMIT|PREEMPTION|NODE\s+FAIL)/i;

export function isEndLine(line: string): boolean {
  return END_JOB.test(line) || END_STEP.test(line);
}

export type LogEventKind = 'checkpoint' | 'progress' | 'end' | 'diagnosis';

export interface LineEvent {
  kind: LogEventKind;
  /** The line, secrets scrubbed, cut to about 300 characters. */
  line: string;
  diagnosis?: Diagnosis;
}

export interface LineMatchers {
  checkpoint: RegExp;
  /** null: this task's progress is not read from its log. */
  progress: RegExp;
  diagnoser: Diagnoser;
}

/** Everything one line means, in the order consumers need it: end first (the tracker asks Slurm at once). */
export function classifyLine(raw: string, m: LineMatchers): LineEvent[] {
  const out: LineEvent[] = [];
  // Markers are matched on the first 8 KiB, like diagnosis rules: bounded time on huge lines.
  const line = raw.length > 8192 ? raw.slice(0, 8192) : raw;
  if (isEndLine(line)) out.push({ kind: 'end', line: excerpt(line) });
  // A checkpoint line is not progress by itself ("saved checkpoint at shard 3"): a task that only ever saves
  // where it stands has made none, and the progress guard must see that.
  if (m.checkpoint.test(line)) out.push({ kind: 'checkpoint', line: excerpt(line) });
  else if (m.progress.test(line)) out.push({ kind: 'progress', line: excerpt(line) });
  const diagnosis = m.diagnoser.diagnoseLine(line);
  if (diagnosis) out.push({ kind: 'diagnosis', line: diagnosis.line ?? excerpt(line), diagnosis });
  return out;
}

/** A regex safe to reuse with .test(): g and y would make matches depend on the previous line. */
export function statelessRegex(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}
