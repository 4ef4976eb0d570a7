// The few config keys the client needs (stateDir, api.listen, api.tokenFile), read from the agent's YAML file.
// Loading the yaml package costs about as much as starting node, so plain files are scanned directly and
// anything beyond simple "key: value" lines on the keys we need falls back to the real parser.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ClientError, EXIT } from './errors.js';

export interface ClientConfig {
  /** The file read, or null when none exists at the default place. */
  path: string | null;
  stateDir: string;
  /** api.listen when the config sets it; else the default socket (shared/socket-path.ts) applies. */
  listen: string | undefined;
  tokenFile: string;
}

export interface ConfigKeys {
  stateDir?: string | undefined;
  listen?: string | undefined;
  tokenFile?: string | undefined;
}

/** --config, then EMB_AGENT_CONFIG, then $XDG_CONFIG_HOME or ~/.config, /emb-agent/config.yaml (as the agent). */
export function configPath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): { path: string; explicit: boolean } {
  if (flag) return { path: path.resolve(flag), explicit: true };
  if (env.EMB_AGENT_CONFIG) return { path: path.resolve(env.EMB_AGENT_CONFIG), explicit: true };
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME ?? '/', '.config');
  return { path: path.join(base, 'emb-agent', 'config.yaml'), explicit: false };
}

const UNSAFE_VALUE = /^[{[&*!|>%@`]/;

function scalar(raw: string): string | null {
  const text = raw.trim();
  if (text === '' || UNSAFE_VALUE.test(text)) return null;
  const q = text[0];
  if (q === '"' || q === "'") {
    const end = text.indexOf(q, 1);
    if (end === -1 || text.slice(1, end).includes('\\') || !/^\s*(#.*)?$/.test(text.slice(end + 1)))
      return null;
    return text.slice(1, end);
  }
  const hash = text.search(/\s#/);
  return (hash === -1 ? text : text.slice(0, hash)).trim();
}

/**
 * Reads stateDir, api.listen and api.tokenFile from simple block-style YAML; returns null (use the yaml
 * package) as soon as a line that matters is anything else.
 */
export function scanConfig(text: string): ConfigKeys | null {
  const out: ConfigKeys = {};
  let inApi = false;
  let apiIndent = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (/^\s*(#.*)?$/.test(line)) continue;
    if (line.includes('\t') || /^(---|\.\.\.|%)/.test(line)) return null;
    const top = /^([A-Za-z_][\w-]*)\s*:(?=\s|$)(.*)$/.exec(line);
    if (top) {
      const [, key, rest] = top as unknown as [string, string, string];
      inApi = false;
      if (key === 'api') {
        if (!/^\s*(#.*)?$/.test(rest)) return null;
        inApi = true;
        apiIndent = 0;
      } else if (key === 'stateDir') {
        const v = scalar(rest);
        if (v === null) return null;
        out.stateDir = v;
      }
      continue;
    }
    if (!/^\s/.test(line)) return null; // a quoted key, a list at the top level, …: not simple
    if (!inApi) continue;
    const indent = (/^ */.exec(line) as RegExpExecArray)[0].length;
    if (apiIndent === 0) apiIndent = indent;
    if (indent > apiIndent) continue; // inside a deeper mapping: not api.listen or api.tokenFile
    const nested = indent === apiIndent ? /^\s+([A-Za-z_][\w-]*)\s*:(?=\s|$)(.*)$/.exec(line) : null;
    if (!nested) return null;
    const [, key, rest] = nested as unknown as [string, string, string];
    if (key === 'listen' || key === 'tokenFile') {
      const v = scalar(rest);
      if (v === null) return null;
      out[key] = v;
    }
  }
  return out;
}

async function parseWithYaml(text: string, file: string): Promise<ConfigKeys> {
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ClientError(EXIT.usage, `config ${file} is not valid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const root = (doc ?? {}) as { stateDir?: unknown; api?: { listen?: unknown; tokenFile?: unknown } };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { stateDir: str(root.stateDir), listen: str(root.api?.listen), tokenFile: str(root.api?.tokenFile) };
}

function expand(p: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? '/';
  const user = env.USER ?? env.LOGNAME ?? 'unknown';
  return p
    .replace(/^~(?=$|\/)/, home)
    .replace(/\$\{?USER\}?/g, user)
    .replace(/\$\{?HOME\}?/g, home);
}

/** Resolves the keys as the agent does: stateDir against $HOME, tokenFile against stateDir. */
export function resolveKeys(keys: ConfigKeys, file: string | null, env: NodeJS.ProcessEnv): ClientConfig {
  const home = env.HOME ?? '/';
  const stateDir = path.resolve(home, expand(keys.stateDir ?? '~/.local/state/emb-agent', env));
  return {
    path: file,
    stateDir,
    listen: keys.listen,
    tokenFile: path.resolve(stateDir, expand(keys.tokenFile ?? 'api-token', env)),
  };
}

export async function readClientConfig(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<ClientConfig> {
  const { path: file, explicit } = configPath(flag, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return resolveKeys({}, null, env);
    throw new ClientError(EXIT.usage, `cannot read config ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return resolveKeys(scanConfig(text) ?? (await parseWithYaml(text, file)), file, env);
}
