// A stand-in for the Planetary Computer SAS API on 127.0.0.1: same paths and JSON as the real one
// (GET {base}/token/{collection} and /token/{account}/{container}), expiry from a clock the test controls,
// and faults scripted per request. It counts requests per path and the most requests in flight at once.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** HTTP 429; `seconds` puts "Try again in N seconds." in the body, `retryAfter` sets the header. */
  | { kind: 'rate-limit'; seconds?: number; retryAfter?: string | number }
  /** Any status (500, 503, 401, 404...) with the API's error body; `message` may hold anything, a sig included. */
  | { kind: 'status'; status: number; message?: string }
  /** A correct answer after `delayMs` of real time. */
  | { kind: 'slow'; delayMs: number }
  /** No answer at all until the client gives up or the server closes. */
  | { kind: 'hang' }
  /** Malformed answers, each carrying a real-looking token so leak checks cover them. */
  | { kind: 'not-json' }
  | { kind: 'no-expiry' }
  | { kind: 'bad-expiry' }
  | { kind: 'expired' }
  | { kind: 'no-sig' }
  | { kind: 'no-se' }
  /** A correct answer whose token lives `ms` instead of the server's lifetime. */
  | { kind: 'lifetime'; ms: number }
  /**
   * An error that echoes the request back, as some gateways do: its URL, its headers (the subscription key
   * among them, in a JSON field and as a header line) and a SAS token, in the message and beside it.
   */
  | { kind: 'echo'; status: number };

export interface FakeSasServerOptions {
  /** The test's clock: expiry = now() + lifetimeMs. */
  now: () => number;
  lifetimeMs?: number;
  /** When set, a request carrying another Ocp-Apim-Subscription-Key gets 401. */
  subscriptionKey?: string;
  /** With subscriptionKey: a request without the header gets 401 too. */
  requireKey?: boolean;
}

export interface RecordedRequest {
  /** Path under /token/, e.g. "usda-cdl" or "landcoverdata/usda-cdl". */
  path: string;
  subscriptionKey: string | undefined;
  /** The test clock's time when the request arrived. */
  at: number;
}

const BASE = '/api/sas/v1';

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class FakeSasServer {
  lifetimeMs: number;
  readonly requests: RecordedRequest[] = [];
  /** Every token this server put in a body (good or bad), for "never in a log" checks. */
  readonly issued: string[] = [];
  private readonly server = createServer((req, res) => this.handle(req, res));
  private readonly queue: Fault[] = [];
  private readonly queues = new Map<string, Fault[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly maxInFlight = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private port = 0;

  private constructor(private readonly opts: FakeSasServerOptions) {
    this.lifetimeMs = opts.lifetimeMs ?? 45 * 60_000;
  }

  static async start(opts: FakeSasServerOptions): Promise<FakeSasServer> {
    const s = new FakeSasServer(opts);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  /** The `tokens.apiBase` to configure. */
  get url(): string {
    return `http://127.0.0.1:${this.port}${BASE}`;
  }

  /** Faults for the next requests to any path, one per request, in order. */
  fault(...faults: Fault[]): this {
    this.queue.push(...faults);
    return this;
  }

  /** Faults for the next requests to one path (taken before the shared queue). */
  faultFor(path: string, ...faults: Fault[]): this {
    const q = this.queues.get(path) ?? [];
    q.push(...faults);
    this.queues.set(path, q);
    return this;
  }

  /** Requests received for a path, or in all. */
  count(path?: string): number {
    return path === undefined ? this.requests.length : this.requests.filter((r) => r.path === path).length;
  }

  /** Scripted faults not yet used (shared queue and per-path queues). */
  pendingFaults(): number {
    let n = this.queue.length;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** The most requests for a path that were open at the same time. */
  maxConcurrent(path: string): number {
    return this.maxInFlight.get(path) ?? 0;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/sas\/v1\/token\/([^/]+(?:\/[^/]+)?)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m?.[1]) {
      this.json(res, 404, { statusCode: 404, message: 'Resource not found' });
      return;
    }
    const path = decodeURIComponent(m[1]);
    const key = req.headers['ocp-apim-subscription-key'];
    this.requests.push({
      path,
      subscriptionKey: typeof key === 'string' ? key : undefined,
      at: this.opts.now(),
    });
    const open = (this.inFlight.get(path) ?? 0) + 1;
    this.inFlight.set(path, open);
    this.maxInFlight.set(path, Math.max(open, this.maxInFlight.get(path) ?? 0));
    res.on('close', () => this.inFlight.set(path, (this.inFlight.get(path) ?? 1) - 1));

    const expected = this.opts.subscriptionKey;
    if (expected !== undefined && (key !== undefined || this.opts.requireKey) && key !== expected) {
      this.json(res, 401, {
        statusCode: 401,
        message:
          'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
      });
      return;
    }
    const fault = this.queues.get(path)?.shift() ?? this.queue.shift();
    if (fault?.kind === 'echo') {
      const now = this.opts.now();
      const token = this.token(now, now + this.lifetimeMs);
      this.json(res, fault.status, {
        statusCode: fault.status,
        message: `rejected ${req.method} ${req.url}?${token} Ocp-Apim-Subscription-Key: ${key ?? '-'} headers=${JSON.stringify(req.headers)}`,
        request: { url: req.url, headers: req.headers, token },
      });
      return;
    }
    this.answer(res, fault);
  }

  private answer(res: ServerResponse, fault: Fault | undefined): void {
    const now = this.opts.now();
    const good = (lifetime = this.lifetimeMs) => {
      const expiry = now + lifetime;
      return { 'msft:expiry': isoSeconds(expiry), token: this.token(now, expiry) };
    };
    switch (fault?.kind) {
      case 'echo':
      case undefined:
        return this.json(res, 200, good());
      case 'lifetime':
        return this.json(res, 200, good(fault.ms));
      case 'rate-limit': {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        const message =
          fault.seconds === undefined
            ? 'Rate limit is exceeded.'
            : `Rate limit is exceeded. Try again in ${fault.seconds} seconds.`;
        return this.json(res, 429, { statusCode: 429, message }, headers);
      }
      case 'status':
        return this.json(res, fault.status, {
          statusCode: fault.status,
          message: fault.message ?? `Internal server error (${fault.status})`,
        });
      case 'slow': {
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (!res.destroyed) this.json(res, 200, good());
        }, fault.delayMs);
        this.timers.add(t);
        return;
      }
      case 'hang':
        return;
      case 'not-json':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<html>upstream ${this.token(now, now + this.lifetimeMs)}</html>`);
        return;
      case 'no-expiry':
        return this.json(res, 200, { token: this.token(now, now + this.lifetimeMs) });
      case 'bad-expiry':
        return this.json(res, 200, {
          'msft:expiry': 'in an hour',
          token: this.token(now, now + this.lifetimeMs),
        });
      case 'expired':
        return this.json(res, 200, {
          'msft:expiry': isoSeconds(now - 60_000),
          token: this.token(now - 3_600_000, now - 60_000),
        });
      case 'no-sig':
        return this.json(res, 200, {
          ...good(),
          token: this.token(now, now + this.lifetimeMs).replace(/&sig=.*$/, ''),
        });
      case 'no-se':
        return this.json(res, 200, {
          ...good(),
          token: this.token(now, now + this.lifetimeMs).replace(/&se=[^&]*/, ''),
        });
    }
  }

  /** A token shaped like the real API's (user-delegation SAS, url-encoded times and signature). */
  private token(start: number, expiry: number): string {
    const enc = encodeURIComponent;
    const sig = enc(randomBytes(32).toString('base64'));
    const token = [
      `st=${enc(isoSeconds(start - 5 * 60_000))}`,
      `se=${enc(isoSeconds(expiry))}`,
      'sp=rl',
      'sv=2024-05-04',
      'sr=c',
      `skoid=${randomUUID()}`,
      `sktid=${randomUUID()}`,
      `skt=${enc(isoSeconds(start - 10 * 60_000))}`,
      `ske=${enc(isoSeconds(expiry + 3_600_000))}`,
      'sks=b',
      'skv=2024-05-04',
      `sig=${sig}`,
    ].join('&');
    this.issued.push(token);
    return token;
  }

  private json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}
