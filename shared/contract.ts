// What emb-agent and emb-client must agree on, written once: where the config files live and the defaults
// that place the state folder and token, the lease file's shape, and how to tunnel to an agent on another
// host. The client's single-file bundle includes this module: Node built-ins only, no zod, no environment
// reads (callers pass what they read).
import path from 'node:path';

/** The variable naming the agent's config file (both sides honour it). */
export const AGENT_CONFIG_ENV = 'EMB_AGENT_CONFIG';
/** The variable naming the client's own config file (contexts). */
export const CLIENT_CONFIG_ENV = 'EMB_CLIENT_CONFIG';
/** The variable choosing a context when --context is not given. */
export const CONTEXT_ENV = 'EMB_CONTEXT';

export const DEFAULT_STATE_DIR = '~/.local/state/emb-agent';
/** Relative to the state folder. */
export const DEFAULT_TOKEN_FILE = 'api-token';
/** In the state folder. */
export const LEASE_FILE = 'agent.lease';
/** The port a tunnel uses when the agent listens on a socket (ssh forwards it to the socket). */
export const TUNNEL_PORT = 8787;

/** The parts of the environment these rules read. */
export interface PlaceEnv {
  HOME?: string | undefined;
  XDG_CONFIG_HOME?: string | undefined;
  USER?: string | undefined;
  LOGNAME?: string | undefined;
  [name: string]: string | undefined;
}

/** ~/.config, or $XDG_CONFIG_HOME, + /emb-agent. */
export function configFolder(env: PlaceEnv): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(env.HOME ?? '/', '.config'), 'emb-agent');
}

/** The agent's config file: --config, then $EMB_AGENT_CONFIG, then <config folder>/config.yaml. */
export function agentConfigPath(
  flag: string | undefined,
  env: PlaceEnv,
): { path: string; explicit: boolean } {
  if (flag) return { path: path.resolve(flag), explicit: true };
  const fromEnv = env[AGENT_CONFIG_ENV];
  if (fromEnv) return { path: path.resolve(fromEnv), explicit: true };
  return { path: path.join(configFolder(env), 'config.yaml'), explicit: false };
}

/** The client's contexts file: $EMB_CLIENT_CONFIG, then <config folder>/client.yaml. */
export function clientConfigPath(env: PlaceEnv): { path: string; explicit: boolean } {
  const fromEnv = env[CLIENT_CONFIG_ENV];
  if (fromEnv) return { path: path.resolve(fromEnv), explicit: true };
  return { path: path.join(configFolder(env), 'client.yaml'), explicit: false };
}

/** ~, $HOME and $USER in a configured path, as the agent expands them. */
export function expandPath(p: string, who: { home: string; user: string }): string {
  return p
    .replace(/^~(?=$|\/)/, who.home)
    .replace(/\$\{?USER\}?/g, who.user)
    .replace(/\$\{?HOME\}?/g, who.home);
}

/** stateDir (default ~/.local/state/emb-agent) against $HOME, api.tokenFile (default api-token) against it. */
export function statePaths(
  keys: { stateDir?: string | undefined; tokenFile?: string | undefined },
  who: { home: string; user: string },
): { stateDir: string; tokenFile: string } {
  const stateDir = path.resolve(who.home, expandPath(keys.stateDir ?? DEFAULT_STATE_DIR, who));
  return {
    stateDir,
    tokenFile: path.resolve(stateDir, expandPath(keys.tokenFile ?? DEFAULT_TOKEN_FILE, who)),
  };
}

export function leaseFilePath(stateDir: string): string {
  return path.join(stateDir, LEASE_FILE);
}

/** The lease file's fields: the agent writes them (and validates with zod), the client reads them leniently. */
export interface LeaseFields {
  /** Random id of one agent run: tells "ours" from "a previous run with a reused pid". */
  owner: string;
  host: string;
  pid: number;
  /** The API address as configured or bound (e.g. "127.0.0.1:8787", "unix:/path"), or null before listen. */
  listen: string | null;
  /** Wall-clock ms on the holder's host. */
  startedAt: number;
  heartbeatAt: number;
  version: string;
}

/** What a client can tell from a lease it did not write: any odd field is left out, never trusted. */
export interface LeaseView {
  host: string;
  pid: number | undefined;
  listen: string | undefined;
  /** ms since the epoch. */
  heartbeatAt: number | undefined;
}

/** A lease document (parsed JSON) as a client sees it, or undefined when it names no host. */
export function leaseView(doc: unknown): LeaseView | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const r = doc as Partial<Record<keyof LeaseFields, unknown>>;
  if (typeof r.host !== 'string' || !r.host) return undefined;
  return {
    host: r.host,
    pid: typeof r.pid === 'number' ? r.pid : undefined,
    listen: typeof r.listen === 'string' ? r.listen : undefined,
    heartbeatAt:
      typeof r.heartbeatAt === 'number' && Number.isFinite(r.heartbeatAt) ? r.heartbeatAt : undefined,
  };
}

/** "login-3" of "login-3.betzy.sigma2.no": hosts are compared by their short names. */
export function shortHost(host: string): string {
  return host.split('.')[0] ?? host;
}

/**
 * The ssh -L forward that reaches an agent listening on `listen` ("127.0.0.1:8787", "0.0.0.0:8787",
 * "unix:/path") on `host`, and the local port the client then uses (--url http://127.0.0.1:PORT).
 */
export function tunnelCommand(
  host: string,
  listen: string | null | undefined,
): { ssh: string; localPort: number } {
  if (listen?.startsWith('unix:')) {
    return { ssh: `ssh -N -L ${TUNNEL_PORT}:${listen.slice(5)} ${host}`, localPort: TUNNEL_PORT };
  }
  const cut = listen ? listen.lastIndexOf(':') : -1;
  const port = (listen && Number(listen.slice(cut + 1))) || TUNNEL_PORT;
  const bound = listen && cut > 0 ? listen.slice(0, cut).replace(/^\[|\]$/g, '') : '127.0.0.1';
  // An agent on every interface is reached on the far side's loopback.
  const far =
    bound === '0.0.0.0' || bound === ''
      ? '127.0.0.1'
      : bound === '::'
        ? '[::1]'
        : bound.includes(':')
          ? `[${bound}]`
          : bound;
  return { ssh: `ssh -N -L ${port}:${far}:${port} ${host}`, localPort: port };
}

/** The two lines that reach an agent on `host` through a tunnel: the ssh command and the client's flags. */
export function tunnelHint(
  host: string,
  listen: string | null | undefined,
  tokenFile = '~/.emb-agent-token',
): { ssh: string; client: string } {
  const t = tunnelCommand(host, listen);
  return {
    ssh: `${t.ssh} &`,
    client: `emb-client --url http://127.0.0.1:${t.localPort} --token-file ${tokenFile} ...`,
  };
}
