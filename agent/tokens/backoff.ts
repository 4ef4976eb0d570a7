// Retry timing: exponential backoff with a cap and injectable jitter, and the delay a 429 asks for.
import type { BackoffPolicy } from './types.js';

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 300_000, jitter: 0.2, maxAttempts: 8 };

/** Delay before the next try after `failures` consecutive failures (1 = first failure). */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(exp * (1 - policy.jitter * r));
}

const TRY_AGAIN = /try again in (\d+(?:\.\d+)?) seconds?/i;

/**
 * The wait a rate-limited answer asks for, in ms: the larger of the body's "Try again in N seconds" and the
 * Retry-After header (delta-seconds or an HTTP date). Null when neither says.
 */
export function retryAfterMs(header: string | null, body: string, nowMs: number): number | null {
  const waits: number[] = [];
  const m = TRY_AGAIN.exec(body);
  if (m?.[1] !== undefined) waits.push(Number(m[1]) * 1000);
  if (header !== null && header.trim() !== '') {
    const text = header.trim();
    if (/^\d+(\.\d+)?$/.test(text)) waits.push(Number(text) * 1000);
    else {
      const at = Date.parse(text);
      if (Number.isFinite(at)) waits.push(Math.max(0, at - nowMs));
    }
  }
  return waits.length ? Math.ceil(Math.max(...waits)) : null;
}
