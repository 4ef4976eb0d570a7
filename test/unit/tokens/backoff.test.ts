// Retry timing as pure functions.
import t from 'tap';
import { backoffDelayMs, DEFAULT_BACKOFF, retryAfterMs } from '../../../agent/tokens/backoff.js';

t.test('exponential, capped, jitter only shortens', async (t) => {
  const p = { baseMs: 1000, capMs: 10_000, jitter: 0.2, maxAttempts: 8 };
  t.same(
    [1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelayMs(n, p, () => 0)),
    [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000],
  );
  t.equal(
    backoffDelayMs(2, p, () => 0.5),
    1800,
  );
  t.equal(
    backoffDelayMs(2, p, () => 0.999999),
    1600,
  );
  t.equal(
    backoffDelayMs(60, p, () => 0),
    10_000,
    'no overflow far out',
  );
  t.same(DEFAULT_BACKOFF, { baseMs: 2000, capMs: 300_000, jitter: 0.2, maxAttempts: 8 });
});

t.test('retryAfterMs reads the body, the header (seconds or date), the larger of both', async (t) => {
  const body = '{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 23 seconds."}';
  const now = Date.parse('2026-01-01T12:00:00Z');
  t.equal(retryAfterMs(null, body, now), 23_000);
  t.equal(retryAfterMs('7', '{}', now), 7000);
  t.equal(retryAfterMs('Thu, 01 Jan 2026 12:01:00 GMT', '', now), 60_000);
  t.equal(retryAfterMs('30', body, now), 30_000);
  t.equal(retryAfterMs('5', body, now), 23_000);
  t.equal(retryAfterMs(null, 'Try again in 1 second.', now), 1000);
  t.equal(retryAfterMs(null, '{"message":"Rate limit is exceeded."}', now), null);
  t.equal(retryAfterMs('soon', '', now), null);
});
