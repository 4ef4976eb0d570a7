// Several agents (clusters, login nodes) from one client: named contexts in ~/.config/emb-agent/client.yaml,
//   default: betzy
//   contexts:
//     betzy: { url: http://127.0.0.1:8787, tokenFile: ~/.emb-agent/betzy.token }
//     saga:  { config: ~/.config/emb-agent/config.yaml }
// No file, or no context chosen, is the single-agent behaviour of before: flags, variables, the agent's config.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clientConfigPath, CONTEXT_ENV, expandPath } from '../shared/contract.js';
import type { GlobalOptions } from './args.js';
import { ClientError, EXIT, UsageError } from './errors.js';
import { parseSimpleYaml, parseFullYaml } from './simple-yaml.js';

export interface AgentContext {
  name: string;
  /** The agent's address, as --url takes it. */
  url: string | undefined;
  tokenFile: string | undefined;
  /** An agent config file to take api.listen and the token's place from (an agent on this host). */
  config: string | undefined;
}

export interface ClientContexts {
  /** The file read, or null when there is none. */
  path: string | null;
  default: string | undefined;
  contexts: Record<string, AgentContext>;
}

const KEYS = new Set(['url', 'tokenFile', 'config']);

function invalid(file: string, why: string): ClientError {
  return new ClientError(EXIT.usage, `client config ${file}: ${why}`);
}

/** Checks a parsed client.yaml and resolves its paths (~, $HOME, relative to the file's folder). */
export function contextsOf(doc: unknown, file: string, env: NodeJS.ProcessEnv): ClientContexts {
  if (doc === null || doc === undefined) return { path: file, default: undefined, contexts: {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw invalid(file, 'expected a mapping');
  const root = doc as Record<string, unknown>;
  for (const k of Object.keys(root)) {
    if (k !== 'default' && k !== 'contexts') throw invalid(file, `unknown key ${k} (default, contexts)`);
  }
  if (root.default !== undefined && typeof root.default !== 'string')
    throw invalid(file, 'default must be a context name');
  const raw = root.contexts ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid(file, 'contexts must map names to {url, tokenFile, config}');
  const who = { home: env.HOME ?? '/', user: env.USER ?? env.LOGNAME ?? 'unknown' };
  const here = path.dirname(file);
  const place = (v: unknown, where: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') throw invalid(file, `${where} must be a path`);
    return path.resolve(here, expandPath(v, who));
  };
  const contexts: Record<string, AgentContext> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalid(file, `contexts.${name} must be a mapping of url, tokenFile, config`);
    const c = value as Record<string, unknown>;
    for (const k of Object.keys(c)) {
      if (!KEYS.has(k)) throw invalid(file, `contexts.${name}.${k}: unknown key (url, tokenFile, config)`);
    }
    if (c.url !== undefined && (typeof c.url !== 'string' || c.url === ''))
      throw invalid(file, `contexts.${name}.url must be a URL or unix:/path`);
    contexts[name] = {
      name,
      url: c.url as string | undefined,
      tokenFile: place(c.tokenFile, `contexts.${name}.tokenFile`),
      config: place(c.config, `contexts.${name}.config`),
    };
  }
  const def = root.default as string | undefined;
  if (def !== undefined && !Object.hasOwn(contexts, def))
    throw invalid(file, `default: no context named "${def}"`);
  return { path: file, default: def, contexts };
}

/** Reads the client config; a missing file at the default place means no contexts. */
export async function readContexts(_g: GlobalOptions, env: NodeJS.ProcessEnv): Promise<ClientContexts> {
  const { path: file, explicit } = clientConfigPath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !explicit)
      return { path: null, default: undefined, contexts: {} };
    throw new ClientError(EXIT.usage, `cannot read client config ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let doc: unknown = parseSimpleYaml(text);
  if (doc === null) {
    // Flow mappings, anchors, …: the real parser, loaded only for such files.
    try {
      doc = await parseFullYaml(text);
    } catch (err) {
      throw new ClientError(
        EXIT.usage,
        `client config ${file} is not valid YAML: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  return contextsOf(doc, file, env);
}

/**
 * The context in force: --context, else $EMB_CONTEXT, else the file's default; undefined when none is
 * chosen (the single-agent setup). `explicit` is true for --context, which then beats EMB_AGENT_URL.
 */
export async function chooseContext(
  g: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ context: AgentContext; explicit: boolean } | undefined> {
  const all = await readContexts(g, env);
  const wanted = g.context ?? (env[CONTEXT_ENV] || undefined) ?? all.default;
  if (wanted === undefined) return undefined;
  const from = g.context !== undefined ? '--context' : env[CONTEXT_ENV] ? CONTEXT_ENV : 'default';
  const found = Object.hasOwn(all.contexts, wanted) ? all.contexts[wanted] : undefined;
  if (!found) {
    const names = Object.keys(all.contexts);
    const where = all.path ?? clientConfigPath(env).path;
    throw new UsageError(
      all.path === null
        ? `${from} ${wanted}: there is no client config ${where} to name contexts in (see emb-client help)`
        : `${from} ${wanted}: no such context in ${where}; known: ${names.join(', ') || 'none'}`,
    );
  }
  return { context: found, explicit: g.context !== undefined };
}
