// Reads and validates the config file. This module is the only reader of process.env in the agent.
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { agentConfigPath, DEFAULT_STATE_DIR, DEFAULT_TOKEN_FILE, expandPath } from '../../shared/contract.js';
import { defaultSocketPlaces, MAX_SOCKET_PATH, type SocketPlace } from '../../shared/socket-path.js';
import { ConfigError } from '../errors.js';
import { linearRegexProblem } from '../text/linear-regex.js';
import { ConfigSchema, type ParsedConfig } from './schema.js';

export interface RuntimeEnv {
  user: string;
  home: string;
  hostname: string;
  pid: number;
  /** Set by systemd for Type=notify units. */
  notifySocket: string | undefined;
  /** Set by systemd when WatchdogSec= is configured. */
  watchdogUsec: number | undefined;
  /** PATH, for locating scheduler commands. */
  path: string;
  /** $XDG_CONFIG_HOME when set (where systemd user units live under systemd/user). */
  configHome: string | undefined;
  uid: number;
  /** $XDG_RUNTIME_DIR when set: where the default API socket goes if it is the user's 0700 folder. */
  runtimeDir: string | undefined;
  /** The agent's whole environment: a job sent from another host gets it (agent/commands/agent-env.ts). */
  vars?: Readonly<Record<string, string>>;
}

/** `place` is set for the default socket: the agent creates (and checks) its folder. */
export type Listen =
  { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string; place?: SocketPlace };

export interface ShardDir {
  /** Absolute path; may end in "/*" for every sub-folder. */
  path: string;
  target: number | undefined;
  pattern: string;
}

export interface Config extends Omit<ParsedConfig, 'workRoot' | 'stateDir' | 'api' | 'watch' | 'tokens'> {
  /** The file the config came from, or null when only defaults apply. */
  configPath: string | null;
  workRoot: string;
  stateDir: string;
  dbPath: string;
  api: Omit<ParsedConfig['api'], 'listen' | 'tokenFile'> & {
    listen: Listen;
    listenText: string;
    tokenFile: string;
  };
  watch: Omit<ParsedConfig['watch'], 'logsDir' | 'shardDirs'> & { logsDir: string; shardDirs: ShardDir[] };
  tokens: Omit<ParsedConfig['tokens'], 'outDir'> & { outDir: string };
  env: RuntimeEnv;
}

export function readRuntimeEnv(env: NodeJS.ProcessEnv = process.env): RuntimeEnv {
  const watchdog = env.WATCHDOG_USEC === undefined ? undefined : Number(env.WATCHDOG_USEC);
  const watchdogPid = env.WATCHDOG_PID === undefined ? undefined : Number(env.WATCHDOG_PID);
  return {
    // USER is unset under some launchers (cron, CI, su without -l): ask the system rather than guess.
    user: env.USER || env.LOGNAME || userInfo().username,
    home: env.HOME ?? '/',
    hostname: hostname(),
    pid: process.pid,
    notifySocket: env.NOTIFY_SOCKET || undefined,
    // systemd sets WATCHDOG_PID to the main pid; a child that inherited the variable must not ping.
    watchdogUsec:
      watchdog !== undefined &&
      Number.isFinite(watchdog) &&
      (watchdogPid === undefined || watchdogPid === process.pid)
        ? watchdog
        : undefined,
    path: env.PATH ?? '/usr/bin:/bin',
    configHome: env.XDG_CONFIG_HOME || undefined,
    uid: process.getuid?.() ?? -1,
    runtimeDir: env.XDG_RUNTIME_DIR || undefined,
    vars: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
  };
}

/** The config path in force: --config, then EMB_AGENT_CONFIG, then ~/.config/emb-agent/config.yaml. */
export function configPathFor(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): {
  path: string;
  explicit: boolean;
} {
  // The rule emb-client follows too, written once in the shared contract.
  return agentConfigPath(flag, env);
}

function expandHome(p: string, rt: RuntimeEnv): string {
  return expandPath(p, rt);
}

function issuesToProblems(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const where = i.path.length ? i.path.join('.') : '(top level)';
    if (i.code === 'unrecognized_keys') {
      const prefix = i.path.length ? `${i.path.join('.')}.` : '';
      return `${i.keys.map((k) => prefix + k).join(', ')}: unknown key${i.keys.length > 1 ? 's' : ''}`;
    }
    return `${where}: ${i.message}`;
  });
}

function parseListen(text: string): Listen {
  if (text.startsWith('unix:')) return { kind: 'unix', path: text.slice('unix:'.length) };
  const idx = text.lastIndexOf(':');
  const host = text.slice(0, idx).replace(/^\[|\]$/g, '');
  return { kind: 'tcp', host, port: Number(text.slice(idx + 1)) };
}

/** Validates an already-parsed document and resolves every path against the runtime environment. */
export function resolveConfig(doc: unknown, rt: RuntimeEnv, configPath: string | null): Config {
  const parsed = ConfigSchema.safeParse(doc ?? {});
  const where = configPath ?? 'built-in defaults';
  if (!parsed.success)
    throw new ConfigError(
      'AGENT_ERR_CONFIG_INVALID',
      `invalid config in ${where}`,
      issuesToProblems(parsed.error.issues),
    );
  const c = parsed.data;
  const abs = (p: string, base: string) => path.resolve(base, expandHome(p, rt));
  const workRoot = abs(c.workRoot ?? `/cluster/work/users/${rt.user}/emb`, rt.home);
  const stateDir = abs(c.stateDir ?? DEFAULT_STATE_DIR, rt.home);
  const place = c.api.listen === undefined ? defaultSocketPlaces(rt)[0] : undefined;
  const listen: Listen = place ? { kind: 'unix', path: place.path, place } : parseListen(c.api.listen ?? '');
  const listenText = place ? `unix:${place.path}` : (c.api.listen as string);
  const problems: string[] = [];
  if (listen.kind === 'tcp' && (listen.port < 0 || listen.port > 65535)) {
    problems.push(`api.listen: port ${listen.port} is out of range`);
  }
  if (c.lease.heartbeatSeconds >= c.lease.ttlSeconds) {
    problems.push(
      `lease.heartbeatSeconds: ${c.lease.heartbeatSeconds} s must be below lease.ttlSeconds (${c.lease.ttlSeconds} s), or the lease lapses between beats`,
    );
  }
  if (listen.kind === 'unix' && !path.isAbsolute(listen.path)) {
    problems.push('api.listen: a unix socket path must be absolute');
  }
  // Node 20 does not refuse a longer path: the kernel cuts it and the agent would listen somewhere else.
  if (listen.kind === 'unix' && Buffer.byteLength(listen.path) > MAX_SOCKET_PATH) {
    problems.push(
      `api.listen: the socket path ${listen.path} is ${Buffer.byteLength(listen.path)} bytes; unix sockets allow at most ${MAX_SOCKET_PATH}, choose a shorter one`,
    );
  }
  // User patterns must run in linear time (RE2): refused here, with their key, rather than hang the agent.
  const regex = (where: string, source: string | undefined, flags = '') => {
    const problem = source === undefined ? null : linearRegexProblem(source, flags);
    if (problem !== null) problems.push(`${where}: ${problem}`);
  };
  for (const [i, r] of c.diagnose.rules.entries()) regex(`diagnose.rules.${i}.pattern`, r.pattern, r.flags);
  regex('resume.checkpointRegex', c.resume.checkpointRegex, 'i');
  for (const [name, d] of Object.entries(c.resume.jobDefaults)) {
    regex(`resume.jobDefaults.${name}.checkpointRegex`, d.checkpointRegex, 'i');
    if (d.doneMarker?.startsWith('log:'))
      regex(`resume.jobDefaults.${name}.doneMarker`, d.doneMarker.slice(4));
  }
  if (problems.length)
    throw new ConfigError('AGENT_ERR_CONFIG_INVALID', `invalid config in ${where}`, problems);
  return {
    ...c,
    configPath,
    workRoot,
    stateDir,
    dbPath: path.join(stateDir, 'agent.db'),
    api: {
      ...c.api,
      listen,
      listenText,
      tokenFile: abs(c.api.tokenFile ?? DEFAULT_TOKEN_FILE, stateDir),
    },
    watch: {
      ...c.watch,
      logsDir: abs(c.watch.logsDir, workRoot),
      shardDirs: c.watch.shardDirs.map((d) =>
        typeof d === 'string'
          ? { path: abs(d, workRoot), target: undefined, pattern: c.watch.shardPattern }
          : { path: abs(d.path, workRoot), target: d.target, pattern: d.pattern ?? c.watch.shardPattern },
      ),
    },
    tokens: {
      ...c.tokens,
      outDir: abs(c.tokens.outDir ?? 'tmp/sas', workRoot),
      subscriptionKeyFile: c.tokens.subscriptionKeyFile && abs(c.tokens.subscriptionKeyFile, stateDir),
    },
    env: rt,
  };
}

/**
 * Loads the config in force. A missing file at the default location means "all defaults";
 * a missing file that was asked for explicitly is an error.
 */
export function loadConfig(flag?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const rt = readRuntimeEnv(env);
  const { path: file, explicit } = configPathFor(flag, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return resolveConfig({}, rt, null);
    throw new ConfigError(
      'AGENT_ERR_CONFIG_UNREADABLE',
      `cannot read config ${file}`,
      [(err as Error).message],
      { cause: err },
    );
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(
      'AGENT_ERR_CONFIG_UNREADABLE',
      `config ${file} is not valid YAML`,
      doc.errors.map((e) => e.message),
      { cause: doc.errors[0] },
    );
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // toJS refuses alias bombs ("Excessive alias count ...") that parsing alone lets through.
    throw new ConfigError(
      'AGENT_ERR_CONFIG_UNREADABLE',
      `config ${file} is not valid YAML`,
      [(err as Error).message],
      { cause: err },
    );
  }
  return resolveConfig(value, rt, file);
}
