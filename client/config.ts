// The few config keys the client needs (stateDir, api.listen, api.tokenFile), read from the agent's YAML file.
// Loading the yaml package costs about as much as starting node, so plain files are scanned directly and
// anything beyond simple "key: value" lines on the keys we need falls back to the real parser.
import { readFileSync } from 'node:fs';
import { agentConfigPath, statePaths } from '../shared/contract.js';
import { ClientError, EXIT } from './errors.js';
import { parseFullYaml, simpleScalar } from './simple-yaml.js';

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
  return agentConfigPath(flag, env);
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
        const v = simpleScalar(rest);
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
      const v = simpleScalar(rest);
      if (v === null) return null;
      out[key] = v;
    }
  }
  return out;
}

async function parseWithYaml(text: string, file: string): Promise<ConfigKeys> {
  let doc: unknown;
  try {
    doc = await parseFullYaml(text);
  } catch (err) {
    throw new ClientError(EXIT.usage, `config ${file} is not valid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const root = (doc ?? {}) as { stateDir?: unknown; api?: { listen?: unknown; tokenFile?: unknown } };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { stateDir: str(root.stateDir), listen: str(root.api?.listen), tokenFile: str(root.api?.tokenFile) };
}

/** Resolves the keys as the agent does: stateDir against $HOME, tokenFile against stateDir. */
export function resolveKeys(keys: ConfigKeys, file: string | null, env: NodeJS.ProcessEnv): ClientConfig {
  const who = { home: env.HOME ?? '/', user: env.USER ?? env.LOGNAME ?? 'unknown' };
  return { path: file, listen: keys.listen, ...statePaths(keys, who) };
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
