// Where the agent is and which token to show it: flags, a named context, EMB_AGENT_URL / EMB_AGENT_TOKEN_FILE,
// then the agent's config.
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSocketPlaces } from '../shared/socket-path.js';
import type { GlobalOptions } from './args.js';
import { readClientConfig, type ClientConfig } from './config.js';
import { chooseContext } from './contexts.js';
import { ClientError, EXIT, UsageError } from './errors.js';

export type Endpoint =
  | { kind: 'tcp'; host: string; port: number; basePath: string; display: string }
  | { kind: 'unix'; socketPath: string; display: string };

export interface Connection {
  endpoint: Endpoint;
  tokenFile: string;
  home: string | undefined;
  /** Ours: a socket or port held by another uid is refused. */
  uid: number;
  /** Loaded only when needed (no flag or variable gave the URL and token file, or to explain a failure). */
  config: () => Promise<ClientConfig>;
}

/** "http://host:port[/base]", "host:port", "unix:/path", or a config listen value ("0.0.0.0:8787"). */
export function parseEndpoint(text: string, from: string): Endpoint {
  if (text.startsWith('unix:')) {
    const socketPath = text.slice('unix:'.length);
    if (!path.isAbsolute(socketPath))
      throw new UsageError(`${from}: a unix socket path must be absolute, got "${text}"`);
    return { kind: 'unix', socketPath, display: text };
  }
  if (text.startsWith('https://')) {
    throw new UsageError(
      `${from}: the agent speaks plain HTTP on loopback; use http:// (or an ssh tunnel), not ${text}`,
    );
  }
  const withScheme = text.includes('://') ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(
      `${from}: "${text}" is not a URL like http://127.0.0.1:8787 or unix:/path/to/socket`,
    );
  }
  if (url.protocol !== 'http:')
    throw new UsageError(`${from}: unsupported scheme ${url.protocol} in "${text}" (only http:// or unix:)`);
  let host = url.hostname.replace(/^\[|\]$/g, '');
  // An agent listening on every interface is reached on loopback.
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  const port = url.port === '' ? 80 : Number(url.port);
  const basePath = url.pathname.replace(/\/+$/, '');
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { kind: 'tcp', host, port, basePath, display: `http://${shownHost}:${port}${basePath}` };
}

/**
 * The endpoint and token file: flags first, then --context, then EMB_AGENT_URL / EMB_AGENT_TOKEN_FILE, then a
 * context chosen by EMB_CONTEXT or the client config's default, then the agent's config file (read only when
 * something is still missing).
 */
export async function resolveConnection(g: GlobalOptions, env: NodeJS.ProcessEnv): Promise<Connection> {
  const chosen = await chooseContext(g, env);
  const c = chosen?.context;
  const envUrl = env.EMB_AGENT_URL || undefined;
  const envToken = env.EMB_AGENT_TOKEN_FILE || undefined;
  const [url, urlFrom] = g.url
    ? [g.url, '--url']
    : chosen?.explicit && c?.url
      ? [c.url, `context ${c.name}`]
      : envUrl
        ? [envUrl, 'EMB_AGENT_URL']
        : [c?.url, `context ${c?.name}`];
  const tokenFile =
    g.tokenFile ?? (chosen?.explicit ? (c?.tokenFile ?? envToken) : (envToken ?? c?.tokenFile));
  let cached: Promise<ClientConfig> | undefined;
  const config = () => (cached ??= readClientConfig(g.config ?? c?.config, env));
  const cfg = url && tokenFile ? undefined : await config();
  const uid = process.getuid?.() ?? -1;
  const listen = (cfg as ClientConfig | undefined)?.listen;
  const endpoint = url
    ? parseEndpoint(url, urlFrom)
    : listen !== undefined
      ? parseEndpoint(listen, cfg?.path ? `api.listen in ${cfg.path}` : 'api.listen')
      : defaultEndpoint(uid, env);
  return {
    endpoint,
    tokenFile: tokenFile ? path.resolve(tokenFile) : (cfg as ClientConfig).tokenFile,
    home: env.HOME,
    uid,
    config,
  };
}

/**
 * The agent's default socket, by the rule it uses itself: the first place where a socket exists (an agent
 * started without a session listens under /tmp even when this shell has XDG_RUNTIME_DIR), else the first.
 */
export function defaultEndpoint(uid: number, env: NodeJS.ProcessEnv): Endpoint {
  const places = defaultSocketPlaces({ uid, runtimeDir: env.XDG_RUNTIME_DIR || undefined });
  const found = places.find((p) => {
    try {
      return lstatSync(p.path).isSocket();
    } catch (err) {
      // Missing or unreadable: not this place.
      void err;
      return false;
    }
  });
  const socketPath = (found ?? (places[0] as (typeof places)[number])).path;
  return { kind: 'unix', socketPath, display: `unix:${socketPath}` };
}

export function readToken(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ClientError(
      EXIT.usage,
      `cannot read the API token from ${file} (${code}).\n` +
        '  The agent writes it when it first starts (emb-agent run). From another machine, copy it there and\n' +
        '  pass --token-file (or set EMB_AGENT_TOKEN_FILE).',
      { cause: err },
    );
  }
  const token = text.trim();
  if (!token) throw new ClientError(EXIT.usage, `the API token file ${file} is empty`);
  return token;
}
