// The markers in force for a new submission (its own options, else resume.jobDefaults by job name or by
// script file name) and what they resolve to on disk, with a warning when a pattern's folder is missing:
// relative patterns hang off the job's working directory (as Slurm's own paths do), which is not
// always where the user's shards are.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { JobDefaults, RecipeInfo } from '../recipe/info.js';

export interface MarkerOptions {
  doneMarker?: string | undefined;
  progress?: string | undefined;
  checkpointRegex?: string | undefined;
  maxAttempts?: number | undefined;
  resume?: boolean | undefined;
}

export interface MarkerSite {
  workRoot: string;
  user: string;
  home: string;
  jobDefaults: Record<string, JobDefaults>;
}

export interface ResolvedMarkers {
  /** Absolute, or "log:REGEX"; null when none is configured. */
  doneMarker: string | null;
  progress: string | null;
}

/** `$USER`, `${USER}` and a leading `~` expanded, as in every other configured path. */
export function expandUserPath(pattern: string, user: string, home: string): string {
  const p = pattern.replace(/\$\{USER\}|\$USER\b/g, user);
  return p === '~' || p.startsWith('~/') ? home + p.slice(1) : p;
}

/** The defaults for this recipe: by job name first, then by the script's file name. */
export function jobDefaultsFor(site: MarkerSite, info: RecipeInfo | null): JobDefaults {
  if (info === null) return {};
  const script = info.parsed.script === null ? null : path.basename(info.parsed.script);
  const named = info.name === null ? undefined : site.jobDefaults[info.name];
  return named ?? (script === null ? undefined : site.jobDefaults[script]) ?? {};
}

/** The caller's options win over the recipe's jobDefaults; path patterns get $USER and ~ expanded. */
export function markersInForce(site: MarkerSite, info: RecipeInfo | null, own: MarkerOptions) {
  const defaults = jobDefaultsFor(site, info);
  const expand = (p: string | undefined) =>
    p === undefined ? null : expandUserPath(p, site.user, site.home);
  return {
    doneMarker: expand(own.doneMarker ?? defaults.doneMarker),
    progress: expand(own.progress ?? defaults.progress),
    checkpointRegex: own.checkpointRegex ?? defaults.checkpointRegex ?? null,
    maxAttempts: own.maxAttempts ?? defaults.maxAttempts ?? null,
    resume: own.resume ?? defaults.resume ?? true,
  };
}

/** The patterns as absolute paths, as the agent will look for them. */
export function resolveMarkers(cwd: string, m: { doneMarker: string | null; progress: string | null }) {
  const abs = (p: string | null) => (p === null || p.startsWith('log:') ? p : path.resolve(cwd, p));
  return { doneMarker: abs(m.doneMarker), progress: abs(m.progress) };
}

/** The part of a pattern before its first wildcard or {index}: the folder that must exist. */
export function staticFolder(absPattern: string): string {
  const parts = absPattern.split('/');
  const at = parts.findIndex((p) => /[*?[{]/.test(p));
  // A pattern without wildcards names a file (or folder) that may not exist yet: its parent must.
  return at < 0 ? path.dirname(absPattern) : parts.slice(0, at).join('/') || '/';
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return false;
    throw err;
  }
}

/** Warnings for patterns whose folder does not exist, naming the likely intended one under workRoot. */
export async function markerWarnings(
  cwd: string,
  workRoot: string,
  m: { doneMarker: string | null; progress: string | null },
): Promise<string[]> {
  const out: string[] = [];
  for (const [option, pattern] of [
    ['--done-marker', m.doneMarker],
    ['--progress', m.progress],
  ] as const) {
    if (pattern === null || pattern.startsWith('log:')) continue;
    const resolved = path.resolve(cwd, pattern);
    const folder = staticFolder(resolved);
    if (await isDir(folder)) continue;
    let msg = `${option} ${pattern} resolves to ${resolved}, but ${folder} does not exist (relative patterns hang off the job's working directory, ${cwd})`;
    if (!path.isAbsolute(pattern)) {
      const underWork = path.resolve(workRoot, pattern);
      if (underWork !== resolved && (await isDir(staticFolder(underWork))))
        msg += `; did you mean ${underWork}? Give it as an absolute path`;
    }
    out.push(msg);
  }
  return out;
}
