// One HTTP request over TCP or a unix socket with node:http (fetch/undici would double the client's start-up).
import type { Endpoint } from './connection.js';

export interface RawReply {
  status: number;
  contentType: string;
  body: string;
}

/** A failure to talk to the agent at all (nothing listening, no socket, time-out), with the system code. */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
  }
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  path: string;
  /** null: no Authorization header (the listener check, before the token may leave). */
  token: string | null;
  body?: unknown;
  timeoutMs: number;
}

export async function send(endpoint: Endpoint, opts: RequestOptions): Promise<RawReply> {
  // Loaded on the first request: --version, help and completion never pay for node:http.
  const { request } = await import('node:http');
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const target =
    endpoint.kind === 'unix'
      ? { socketPath: endpoint.socketPath, path: opts.path }
      : { host: endpoint.host, port: endpoint.port, path: endpoint.basePath + opts.path };
  return new Promise((resolve, reject) => {
    const req = request({ ...target, method: opts.method, headers, timeout: opts.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) =>
        reject(new TransportError('ECONNRESET', `the reply was cut: ${err.message}`, { cause: err })),
      );
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('timeout', () => {
      req.destroy(new TransportError('ETIMEDOUT', `no answer within ${Math.round(opts.timeoutMs / 1000)} s`));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof TransportError) reject(err);
      else reject(new TransportError(err.code ?? 'EIO', err.message, { cause: err }));
    });
    req.end(payload);
  });
}
