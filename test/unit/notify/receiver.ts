// A real local HTTP server that records what webhooks post, answering with the statuses a test scripts.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export class Receiver {
  readonly got: Received[] = [];
  /** Statuses for the next requests, in order; 200 once used up. */
  readonly script: { status: number; headers?: Record<string, string>; body?: string }[] = [];
  /** When set, requests are held unanswered (a webhook that hangs). */
  hang = false;
  private readonly server: Server;
  private hung: (() => void)[] = [];

  private constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        this.got.push({ path: req.url ?? '', headers: req.headers, body });
        if (this.hang) {
          this.hung.push(() => res.destroy());
          return;
        }
        const next = this.script.shift() ?? { status: 200 };
        res.writeHead(next.status, next.headers ?? {});
        res.end(next.body ?? 'ok');
      });
    });
  }

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    r.server.listen(0, '127.0.0.1');
    await once(r.server, 'listening');
    return r;
  }

  url(path: string): string {
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}${path}`;
  }

  async close(): Promise<void> {
    for (const h of this.hung) h();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** Polls `cond` until it is true (real I/O under way); fails after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
