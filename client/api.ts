// The agent's API as the commands see it: JSON in and out, agent errors and transport failures as ClientErrors.
import type { Connection } from './connection.js';
import { readToken } from './connection.js';
import { ApiError, ClientError, EXIT } from './errors.js';
import { send, TransportError, type RawReply } from './http.js';
import { verifyListener } from './listener-check.js';

const TIMEOUT_MS = 60_000;

export class Api {
  private readonly conn: Connection;
  private token: string | undefined;
  /** The listener check, once per process: it passed before the token is ever sent. */
  private verified: Promise<void> | undefined;
  private readonly timeoutMs: number;

  /** timeoutMs: completion asks with a short one, so a shell never waits on a missing agent. */
  constructor(conn: Connection, opts: { timeoutMs?: number } = {}) {
    this.conn = conn;
    this.timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  }

  get display(): string {
    return this.conn.endpoint.display;
  }

  /** unix: on the agent's host as its user (the socket is its user's alone); tcp: maybe through a tunnel. */
  get transport(): 'unix' | 'tcp' {
    return this.conn.endpoint.kind;
  }

  /** The reply body as text, after status checks: `ls --json` prints it untouched. */
  async raw(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RawReply> {
    this.token ??= readToken(this.conn.tokenFile);
    let reply: RawReply;
    try {
      const token = this.token;
      this.verified ??= verifyListener(this.conn.endpoint, token, {
        uid: this.conn.uid,
        timeoutMs: this.timeoutMs,
        tokenFile: this.conn.tokenFile,
      });
      await this.verified;
      reply = await send(this.conn.endpoint, {
        method,
        path,
        token: this.token,
        body,
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      // Loaded only on failure: the lease reading and advice are not on the path of a working command.
      const { unreachableMessage } = await import('./unreachable.js');
      // A config that cannot be read only loses the lease hint; the failure to reach the agent is what matters.
      const cfg = await this.conn.config().catch(() => undefined);
      const message = unreachableMessage({
        endpoint: this.conn.endpoint,
        code: err.code,
        detail: err.message,
        stateDir: cfg?.stateDir,
        tokenFile: this.conn.tokenFile,
        agentTokenFile: cfg?.tokenFile,
        home: this.conn.home,
      });
      throw new ClientError(EXIT.unreachable, message, { cause: err });
    }
    if (reply.status >= 400) throw this.errorOf(reply);
    return reply;
  }

  async get<T>(path: string): Promise<T> {
    return this.json<T>(await this.raw('GET', path));
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>(await this.raw('POST', path, body));
  }

  private json<T>(reply: RawReply): T {
    try {
      return JSON.parse(reply.body) as T;
    } catch (err) {
      throw new ClientError(
        EXIT.api,
        `the agent at ${this.display} sent a reply that is not JSON (HTTP ${reply.status})`,
        {
          cause: err,
        },
      );
    }
  }

  private errorOf(reply: RawReply): ClientError {
    let code = `HTTP_${reply.status}`;
    let message = reply.body.slice(0, 500);
    try {
      const b = JSON.parse(reply.body) as { code?: unknown; message?: unknown };
      if (typeof b.code === 'string') code = b.code;
      if (typeof b.message === 'string') message = b.message;
    } catch (err) {
      // Not an agent reply (a proxy, another server on the port): keep the raw text.
      void err;
    }
    if (reply.status === 401) {
      return new ApiError(
        401,
        code,
        `the agent at ${this.display} refused the token in ${this.conn.tokenFile}: it must be the agent's current ` +
          '<stateDir>/api-token (copy it again if the agent was set up anew)',
      );
    }
    return new ApiError(reply.status, code, message);
  }
}
