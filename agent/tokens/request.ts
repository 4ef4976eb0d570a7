// One request for a collection's token, and on success both of its files written: what a refresh cycle
// tries, and retries, until it succeeds or gives up.
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { isAgentError } from '../errors.js';
import { scrubSecrets } from '../log.js';
import { isoSeconds } from './entry.js';
import type { CollectionSpec } from './names.js';
import { fetchSasToken, SasFetchError } from './sas-client.js';
import type { TokenStore } from './token-store.js';

export interface TokenRequest {
  config: Config['tokens'];
  spec: CollectionSpec;
  /** The subscription key, or null for anonymous requests. */
  key: string | null;
  clock: Clock;
  /** Aborted by stop(): the request ends as an 'aborted' failure. */
  signal: AbortSignal;
  store: TokenStore;
}

/** The new token's expiry and when it was fetched; or the failure, classified for the retry decision. */
export async function requestToken(
  r: TokenRequest,
): Promise<{ expiryMs: number; fetchedAt: number } | SasFetchError> {
  const { spec } = r;
  try {
    const got = await fetchSasToken({
      apiBase: r.config.apiBase,
      spec,
      subscriptionKey: r.key,
      timeoutMs: r.config.requestTimeoutSeconds * 1000,
      now: () => r.clock.now(),
      signal: r.signal,
    });
    const fetchedAt = r.clock.now();
    try {
      await r.store.write(spec, {
        collection: spec.id,
        account: spec.account,
        container: spec.container,
        token: got.token,
        expiry: isoSeconds(got.expiryMs),
        expiryEpoch: Math.floor(got.expiryMs / 1000),
        fetchedAt: isoSeconds(fetchedAt),
      });
    } catch (err) {
      // An unsafe folder is explained by its message (which path, what to do); a system error by its code.
      const why = isAgentError(err)
        ? err.message
        : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
      return new SasFetchError(
        'write',
        `cannot write the token files of ${spec.id} in ${r.config.outDir}: ${why}`,
        {
          cause: err,
        },
      );
    }
    return { expiryMs: got.expiryMs, fetchedAt };
  } catch (err) {
    if (err instanceof SasFetchError) return err;
    return new SasFetchError('network', `token request for ${spec.id} failed: ${scrubSecrets(String(err))}`, {
      cause: err,
    });
  }
}
