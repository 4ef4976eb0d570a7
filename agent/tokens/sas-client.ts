// One request to the Planetary Computer SAS API, its answer checked before anyone may write it.
import { z } from 'zod';
import { AgentError } from '../errors.js';
import { scrubKnown, scrubSecrets } from '../log.js';
import { retryAfterMs } from './backoff.js';
import type { CollectionSpec } from './names.js';

/** `write`: the answer was good but the files could not be written (the refresher reports it the same way). */
export type SasFailureKind =
  'rate-limited' | 'server' | 'network' | 'timeout' | 'malformed' | 'refused' | 'aborted' | 'write';

/** A failed fetch. Its message never holds a token or signature. */
export class SasFetchError extends AgentError {
  readonly kind: SasFailureKind;
  /** The wait a 429 asked for, when it said. */
  readonly retryAfterMs: number | null;
  readonly httpStatus: number | null;

  constructor(
    kind: SasFailureKind,
    message: string,
    opts: { cause?: unknown; retryAfterMs?: number | null; httpStatus?: number | null } = {},
  ) {
    super('AGENT_ERR_TOKEN_FETCH', message, {
      cause: opts.cause,
      details: { kind, httpStatus: opts.httpStatus ?? null, retryAfterMs: opts.retryAfterMs ?? null },
    });
    this.kind = kind;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.httpStatus = opts.httpStatus ?? null;
  }

  /** Whether trying again later may succeed (a 4xx other than 429 means the request itself is wrong). */
  get retryable(): boolean {
    return this.kind !== 'refused' && this.kind !== 'aborted';
  }
}

export interface SasToken {
  token: string;
  expiryMs: number;
}

export interface FetchSasOptions {
  apiBase: string;
  spec: CollectionSpec;
  subscriptionKey: string | null;
  timeoutMs: number;
  /** The injected clock's now(), read when the answer arrives. */
  now: () => number;
  /** Aborts the request when the service stops. */
  signal?: AbortSignal;
}

const AnswerSchema = z.object({
  'msft:expiry': z.iso.datetime({ offset: true }),
  token: z.string().min(1),
});

// Characters of a URL query string: a token is pasted into URLs and shell variables, so nothing else passes.
const TOKEN_CHARS = /^[A-Za-z0-9%&=._~:+/-]+$/;
const MAX_BODY = 64 * 1024;

export function tokenUrl(apiBase: string, spec: CollectionSpec): string {
  const path = spec.requestPath.split('/').map(encodeURIComponent).join('/');
  return `${apiBase.replace(/\/+$/, '')}/token/${path}`;
}

/**
 * Short, secret-free text of an upstream error body, for messages. An API (or a proxy before it) may echo
 * the request back, our subscription key included: it is replaced by value, whatever its shape.
 */
function upstreamMessage(body: string, key: string | null): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed !== null && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      const msg = o.message ?? o.detail ?? o.error;
      if (typeof msg === 'string') text = msg;
    }
  } catch (err) {
    // Not JSON: the raw text (truncated) is the message; the parse error itself says nothing useful.
    void err;
  }
  const clean = scrubKnown(text.replace(/\s+/g, ' ').trim(), key === null ? [] : [key]);
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/** Checks an answer; throws a `malformed` SasFetchError naming what is wrong (never echoing the token). */
export function parseSasAnswer(body: string, nowMs: number, what: string): SasToken {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new SasFetchError('malformed', `SAS API answer for ${what} is not JSON`, { cause: err });
  }
  const parsed = AnswerSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
    throw new SasFetchError('malformed', `SAS API answer for ${what} lacks a valid ${fields}`);
  }
  const token = parsed.data.token;
  const expiryMs = Date.parse(parsed.data['msft:expiry']);
  const fields = new Set(token.split('&').map((kv) => kv.split('=')[0]));
  if (!TOKEN_CHARS.test(token)) {
    throw new SasFetchError('malformed', `SAS API token for ${what} holds characters a URL query cannot`);
  }
  for (const required of ['sig', 'se']) {
    if (!fields.has(required)) {
      throw new SasFetchError('malformed', `SAS API token for ${what} has no ${required}= field`);
    }
  }
  if (!(expiryMs > nowMs)) {
    throw new SasFetchError(
      'malformed',
      `SAS API token for ${what} expired at ${parsed.data['msft:expiry']}, before now (${new Date(nowMs).toISOString()})`,
    );
  }
  return { token, expiryMs };
}

function networkError(err: unknown, url: string, timeoutMs: number): SasFetchError {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError') {
    return new SasFetchError('timeout', `no answer from ${url} within ${timeoutMs / 1000} s`, { cause: err });
  }
  if (name === 'AbortError') return new SasFetchError('aborted', `request to ${url} aborted`, { cause: err });
  // undici reports "fetch failed" with the socket error as its cause.
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  const why = cause?.code ?? cause?.message ?? (err as Error | null)?.message ?? String(err);
  return new SasFetchError('network', `cannot reach ${url}: ${scrubSecrets(why)}`, { cause: err });
}

/** GET {apiBase}/token/{collection | account/container}; resolves with a checked token or throws SasFetchError. */
export async function fetchSasToken(opts: FetchSasOptions): Promise<SasToken> {
  const url = tokenUrl(opts.apiBase, opts.spec);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.subscriptionKey !== null) headers['Ocp-Apim-Subscription-Key'] = opts.subscriptionKey;
  let res: Response;
  let body: string;
  try {
    res = await fetch(url, { headers, signal, redirect: 'error' });
    body = await res.text();
  } catch (err) {
    throw networkError(err, url, opts.timeoutMs);
  }
  if (body.length > MAX_BODY) {
    throw new SasFetchError('malformed', `SAS API answer for ${opts.spec.id} is over ${MAX_BODY} bytes`);
  }
  const status = res.status;
  if (status === 429) {
    const wait = retryAfterMs(res.headers.get('retry-after'), body, opts.now());
    const said = wait === null ? 'no wait stated' : `asked to wait ${Math.round(wait / 1000)} s`;
    throw new SasFetchError('rate-limited', `SAS API rate limit for ${opts.spec.id} (HTTP 429, ${said})`, {
      retryAfterMs: wait,
      httpStatus: status,
    });
  }
  if (status >= 500) {
    throw new SasFetchError(
      'server',
      `SAS API answered HTTP ${status} for ${opts.spec.id}: ${upstreamMessage(body, opts.subscriptionKey)}`,
      {
        httpStatus: status,
      },
    );
  }
  if (status < 200 || status >= 300) {
    const hint =
      status === 401 || status === 403
        ? ' (check tokens.subscriptionKeyFile)'
        : status === 404
          ? ' (unknown collection?)'
          : '';
    throw new SasFetchError(
      'refused',
      `SAS API refused ${opts.spec.id} with HTTP ${status}${hint}: ${upstreamMessage(body, opts.subscriptionKey)}`,
      { httpStatus: status },
    );
  }
  return parseSasAnswer(body, opts.now(), opts.spec.id);
}
