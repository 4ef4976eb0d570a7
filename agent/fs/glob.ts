// A small glob for file names (not paths): * ? [abc] [!a-z] {tar,tar.gz} and \ escapes.
// Written here rather than imported: node's path.matchesGlob is experimental on Node 20, and names need no more.
import { AgentError } from '../errors.js';

/**
 * Compiles a name glob to an anchored RegExp. As in the shell, a leading dot must be matched explicitly,
 * so hidden files (a writer's temporary ".shard-0001.tar") are not counted by "*.tar".
 */
export function globToRegExp(glob: string): RegExp {
  if (glob.includes('/')) {
    throw new AgentError(
      'AGENT_ERR_CONFIG',
      `shard pattern "${glob}": a pattern matches file names, not paths`,
    );
  }
  const body = translate(glob, 0, glob.length, false);
  const hiddenGuard = glob.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hiddenGuard}${body}$`, 'u');
}

/** The unanchored regex source of a name glob (no hidden-file guard), to be combined into a larger one. */
export function globSource(glob: string): string {
  return translate(glob, 0, glob.length, false);
}

export function compileGlob(glob: string): (name: string) => boolean {
  const re = globToRegExp(glob);
  return (name) => re.test(name);
}

function escape(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** Translates glob[from, to); inBraces makes top-level commas alternatives. */
function translate(glob: string, from: number, to: number, inBraces: boolean): string {
  let out = '';
  let i = from;
  while (i < to) {
    const ch = glob[i] as string;
    if (ch === '\\' && i + 1 < to) {
      out += escape(glob[i + 1] as string);
      i += 2;
    } else if (ch === '*') {
      out += '[^/]*';
      i++;
    } else if (ch === '?') {
      out += '[^/]';
      i++;
    } else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0 || end >= to) {
        out += '\\[';
        i++;
        continue;
      }
      let set = glob.slice(i + 1, end);
      const negate = set.startsWith('!') || set.startsWith('^');
      if (negate) set = set.slice(1);
      out += `[${negate ? '^' : ''}${set.replace(/[\\\]^[]/g, (c) => `\\${c}`)}]`;
      i = end + 1;
    } else if (ch === '{') {
      const end = matchingBrace(glob, i, to);
      if (end < 0) {
        out += '\\{';
        i++;
        continue;
      }
      out += `(?:${translate(glob, i + 1, end, true)})`;
      i = end + 1;
    } else if (ch === ',' && inBraces) {
      out += '|';
      i++;
    } else {
      out += escape(ch);
      i++;
    }
  }
  return out;
}

function matchingBrace(glob: string, open: number, to: number): number {
  let depth = 0;
  for (let i = open; i < to; i++) {
    const ch = glob[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}
