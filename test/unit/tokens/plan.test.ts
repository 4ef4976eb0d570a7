// The refresher's pure decisions: when the next request is due, and the state shown.
import t from 'tap';
import { gapFor, nextRefreshAt, tokenState } from '../../../agent/tokens/plan.js';

const M = 60_000;
const base = { now: 100 * M, marginMs: 15 * M, lastAttemptAt: null, minGapMs: 5 * M, notBefore: null };

t.test('nextRefreshAt: schedule tick or expiry minus margin, whichever is first', async (t) => {
  t.equal(nextRefreshAt({ ...base, cronNext: 110 * M, expiryMs: 160 * M }), 110 * M, 'tick first');
  t.equal(nextRefreshAt({ ...base, cronNext: 200 * M, expiryMs: 130 * M }), 115 * M, 'margin first');
  t.equal(
    nextRefreshAt({ ...base, cronNext: null, expiryMs: 130 * M }),
    115 * M,
    'no tick within the horizon',
  );
  t.equal(nextRefreshAt({ ...base, cronNext: 110 * M, expiryMs: null }), 100 * M, 'missing: now');
  t.equal(
    nextRefreshAt({ ...base, cronNext: 110 * M, expiryMs: 105 * M }),
    100 * M,
    'inside the margin: now',
  );
});

t.test(
  'nextRefreshAt: no loop on a failing API or a token shorter than the margin; 429 holds all',
  async (t) => {
    const failed = { ...base, lastAttemptAt: 100 * M };
    t.equal(nextRefreshAt({ ...failed, cronNext: 200 * M, expiryMs: null }), 105 * M);
    t.equal(nextRefreshAt({ ...failed, cronNext: 200 * M, expiryMs: 110 * M }), 105 * M);
    t.equal(
      nextRefreshAt({ ...failed, cronNext: 102 * M, expiryMs: 110 * M }),
      102 * M,
      'the schedule is not held',
    );
    t.equal(nextRefreshAt({ ...base, cronNext: 102 * M, expiryMs: 160 * M, notBefore: 103 * M }), 103 * M);
  },
);

t.test('tokenState', async (t) => {
  const s = { now: 100 * M, marginMs: 15 * M, lastRefreshAt: 90 * M, lastErrorAt: null };
  t.equal(tokenState({ ...s, expiryMs: null }), 'missing');
  t.equal(tokenState({ ...s, expiryMs: 100 * M }), 'expired');
  t.equal(tokenState({ ...s, expiryMs: 130 * M }), 'fresh');
  t.equal(tokenState({ ...s, expiryMs: 110 * M }), 'refreshing-soon');
  t.equal(tokenState({ ...s, expiryMs: 130 * M, lastErrorAt: 95 * M }), 'error');
  t.equal(tokenState({ ...s, expiryMs: 130 * M, lastErrorAt: 80 * M }), 'fresh', 'an older error is history');
  t.equal(tokenState({ ...s, expiryMs: 90 * M, lastErrorAt: 95 * M }), 'expired');
});

t.test('the floor between requests scales with the token lifetime, within [10 s, minGap]', async (t) => {
  t.equal(gapFor({ minGapMs: 5 * M, lifetimeMs: 90_000 }), 30_000);
  t.equal(gapFor({ minGapMs: 5 * M, lifetimeMs: 24 * 60 * M }), 5 * M);
  t.equal(gapFor({ minGapMs: 5 * M, lifetimeMs: 3_000 }), 10_000);
  t.equal(gapFor({ minGapMs: 5 * M, lifetimeMs: null }), 5 * M);
  // 90 s token fetched at 100 min, margin 60 s: due at expiry - margin, not five minutes on.
  const now = 100 * M;
  t.equal(
    nextRefreshAt({
      ...base,
      now,
      marginMs: 60_000,
      expiryMs: now + 90_000,
      lastAttemptAt: now,
      lifetimeMs: 90_000,
      cronNext: null,
    }),
    now + 30_000,
  );
});
