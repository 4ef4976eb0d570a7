// One-time login codes: `emb-client open` asks for one with the bearer token and prints a URL carrying it;
// the browser trades it for a session cookie. A code works once and for a minute: it travels in a URL (the
// browser's history, a terminal's scrollback), so it must be worthless soon after.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';

export interface CodeOptions {
  clock: Clock;
  /** Default 60 s. */
  ttlMs?: number;
  /** Unredeemed codes kept at most; the oldest goes first. Default 16. */
  max?: number;
}

export class OneTimeCodes {
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly max: number;
  /** code -> expiry (epoch ms); insertion order is age order. */
  private readonly codes = new Map<string, number>();

  constructor(o: CodeOptions) {
    this.clock = o.clock;
    this.ttlMs = o.ttlMs ?? 60_000;
    this.max = o.max ?? 16;
  }

  issue(): { code: string; expiresAt: number } {
    this.prune();
    while (this.codes.size >= this.max) this.codes.delete(this.codes.keys().next().value as string);
    const code = randomBytes(24).toString('base64url');
    const expiresAt = this.clock.now() + this.ttlMs;
    this.codes.set(code, expiresAt);
    return { code, expiresAt };
  }

  /** True once for a code issued less than ttlMs ago; false for an unknown, used or expired one. */
  redeem(code: string): boolean {
    const expiresAt = this.codes.get(code);
    if (expiresAt === undefined) return false;
    this.codes.delete(code);
    return this.clock.now() < expiresAt;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [code, at] of this.codes) if (at <= now) this.codes.delete(code);
  }
}
