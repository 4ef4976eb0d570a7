// The page's calls to the agent's own API: the session cookie goes along by itself (same origin); polls carry
// the last ETag so an unchanged state costs a 304; changes carry the session's CSRF token.

export class SessionLost extends Error {}

export interface Polled<T> {
  /** The new body, or undefined when it did not change since the last call. */
  body: T | undefined;
  status: number;
}

export class Api {
  private readonly etags = new Map<string, string>();
  private csrf = '';

  async start(): Promise<void> {
    const s = await this.get<{ csrf: string }>('/ui/session');
    this.csrf = s.csrf;
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(path, { cache: 'no-store', headers: { accept: 'application/json' } });
    return (await this.read<T>(res)) as T;
  }

  /** GET with If-None-Match: body undefined when unchanged (304). A 404 (a part not enabled) is returned too. */
  async poll<T>(path: string): Promise<Polled<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const tag = this.etags.get(path);
    if (tag) headers['if-none-match'] = tag;
    const res = await fetch(path, { cache: 'no-store', headers });
    if (res.status === 304) return { body: undefined, status: 304 };
    if (res.status === 404) return { body: undefined, status: 404 };
    const body = await this.read<T>(res);
    const etag = res.headers.get('etag');
    if (etag) this.etags.set(path, etag);
    return { body, status: res.status };
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(path, {
      method: 'POST',
      cache: 'no-store',
      headers: { 'content-type': 'application/json', 'x-emb-csrf': this.csrf },
      body: JSON.stringify(body),
    });
    return (await this.read<T>(res)) as T;
  }

  private async read<T>(res: Response): Promise<T | undefined> {
    if (res.status === 401) throw new SessionLost('the session ended');
    if (res.status === 204) return undefined;
    const text = await res.text();
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch (err) {
        void err; // not the agent's JSON: the status says enough
      }
      throw new Error(message);
    }
    return JSON.parse(text) as T;
  }
}
