// Browser sessions of the web page, in memory only: an agent restart logs every browser out, which is
// acceptable (a new `emb-client open`) and keeps no session secret on disk.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';

export interface WebSession {
  /** The cookie's value. */
  id: string;
  /** Sent back by the page in X-Emb-Csrf on state-changing requests. */
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionOptions {
  clock: Clock;
  /** A session unused this long ends. Default 12 h: a tab left open overnight polls, so it stays alive. */
  idleMs?: number;
  /** Whatever the use, a session ends this long after login. Default 7 days. */
  maxAgeMs?: number;
  /** Sessions kept at most; the oldest goes first. Default 32. */
  max?: number;
}

export class Sessions {
  private readonly clock: Clock;
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly max: number;
  private readonly byId = new Map<string, WebSession>();

  constructor(o: SessionOptions) {
    this.clock = o.clock;
    this.idleMs = o.idleMs ?? 12 * 3_600_000;
    this.maxAgeMs = o.maxAgeMs ?? 7 * 86_400_000;
    this.max = o.max ?? 32;
  }

  create(): WebSession {
    this.prune();
    while (this.byId.size >= this.max) this.byId.delete(this.byId.keys().next().value as string);
    const now = this.clock.now();
    const s: WebSession = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(24).toString('base64url'),
      createdAt: now,
      expiresAt: Math.min(now + this.idleMs, now + this.maxAgeMs),
    };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session with this id, its idle expiry moved on; undefined when unknown or expired. */
  touch(id: string): WebSession | undefined {
    const s = this.byId.get(id);
    if (!s) return undefined;
    const now = this.clock.now();
    if (now >= s.expiresAt) {
      this.byId.delete(id);
      return undefined;
    }
    s.expiresAt = Math.min(now + this.idleMs, s.createdAt + this.maxAgeMs);
    return s;
  }

  end(id: string): void {
    this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [id, s] of this.byId) if (s.expiresAt <= now) this.byId.delete(id);
  }
}
