// The resume contract's markers as submit and adopt take them, and how their reply reports them.
import { intOption, stringOption, type Parsed } from '../args.js';
import { UsageError } from '../errors.js';

export interface MarkerBody {
  doneMarker?: string;
  progress?: string;
  checkpointRegex?: string;
  maxAttempts?: number;
  resume?: boolean;
}

export function markerBody(options: Parsed['options']): MarkerBody {
  const body: MarkerBody = {};
  const doneMarker = stringOption(options, 'done-marker');
  const progress = stringOption(options, 'progress');
  const checkpointRegex = stringOption(options, 'checkpoint-regex');
  const maxAttempts = intOption(options, 'max-attempts');
  if (doneMarker !== undefined) body.doneMarker = doneMarker;
  if (progress !== undefined) body.progress = progress;
  if (checkpointRegex !== undefined) {
    try {
      new RegExp(checkpointRegex);
    } catch (err) {
      throw new UsageError(`--checkpoint-regex is not a valid regular expression: ${(err as Error).message}`);
    }
    body.checkpointRegex = checkpointRegex;
  }
  if (maxAttempts !== undefined) body.maxAttempts = maxAttempts;
  if (options.has('no-resume')) body.resume = false;
  return body;
}

export interface MarkerReport {
  markers: { doneMarker: string | null; progress: string | null };
  warnings: string[];
}

/** Lines saying where the agent will look, and what looks wrong about it. */
export function markerLines(r: MarkerReport): string[] {
  const lines: string[] = [];
  if (r.markers.doneMarker !== null) lines.push(`  done marker: ${r.markers.doneMarker}`);
  if (r.markers.progress !== null) lines.push(`  progress:    ${r.markers.progress}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines;
}
