// What `emb-agent run` will meet beyond the config file, tried the way run does it: listening on api.listen
// (a refused address, a port or socket in use) and reaching the SAS API with the first configured collection.
import Fastify from 'fastify';
import type { Config } from './config/load.js';
import { describeError, isAgentError } from './errors.js';
import { listenApp } from './http/listen.js';
import type { LeaseBody } from './service/lease-body.js';
import { fetchSasToken, parseCollection, readSubscriptionKey, SasFetchError } from './tokens/index.js';

export type Level = 'ok' | 'warn' | 'fail' | 'info';
export interface Finding {
  level: Level;
  /** What was checked: a config key or a part ("slurm", "api.listen", "tokens.apiBase"). */
  what: string;
  message: string;
}

/**
 * Listens on api.listen with an empty server and closes it again: the same code run uses, so the same
 * refusals. An address taken by this user's running agent (the lease names it) is not a problem.
 */
export async function probeListen(config: Config, lease: LeaseBody | null): Promise<Finding> {
  const what = 'api.listen';
  const app = Fastify({ logger: false });
  try {
    const address = await listenApp(app, config.api.listen, {
      allowNonLoopback: config.api.allowNonLoopback,
    });
    return { level: 'ok', what, message: `${address} is free and allowed` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const inUse = code === 'EADDRINUSE' || (isAgentError(err) && err.code === 'AGENT_ERR_LEASE_HELD');
    const ours = lease && lease.host === config.env.hostname && lease.listen === config.api.listenText;
    if (inUse && ours) {
      return {
        level: 'info',
        what,
        message: `${config.api.listenText} is in use by the running agent (pid ${lease.pid})`,
      };
    }
    const message = inUse
      ? `${config.api.listenText} is in use by another process: choose another port or socket`
      : describeError(err);
    return { level: 'fail', what, message };
  } finally {
    await app.close();
  }
}

/** One token request, as the refresher makes it; only when collections are configured. */
export async function probeSasApi(config: Config): Promise<Finding | null> {
  const { tokens } = config;
  const first = tokens.collections[0];
  if (first === undefined) return null;
  const what = 'tokens.apiBase';
  try {
    const key = tokens.subscriptionKeyFile ? await readSubscriptionKey(tokens.subscriptionKeyFile) : null;
    const got = await fetchSasToken({
      apiBase: tokens.apiBase,
      spec: parseCollection(first),
      subscriptionKey: key,
      timeoutMs: tokens.requestTimeoutSeconds * 1000,
      now: () => Date.now(),
    });
    const left = Math.round((got.expiryMs - Date.now()) / 60_000);
    return {
      level: 'ok',
      what,
      message: `${tokens.apiBase} answers: a token for ${first} lives ${left} min`,
    };
  } catch (err) {
    // Busy or failing servers are retried by the agent; an unreachable API or a refusal needs a person.
    const kind = err instanceof SasFetchError ? err.kind : null;
    const level: Level = kind === 'rate-limited' || kind === 'server' ? 'warn' : 'fail';
    const why = kind === 'network' || kind === 'timeout' ? 'unreachable: ' : '';
    return { level, what, message: `${tokens.apiBase} ${why}${describeError(err)}` };
  }
}
