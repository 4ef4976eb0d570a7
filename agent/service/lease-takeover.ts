// Taking over a stale lease so that, of several agents that judged the same lease stale at once, exactly
// one wins. Each tries to create a claim file named after the stale text (a hash of it) with link(), which
// only one can; the winner re-reads the lease and replaces it with rename() only if it still holds that
// same text. The lease itself never disappears meanwhile, so a plain create (link) cannot sneak in.
// A claim older than the TTL, or whose taker's pid is dead on this host, is cleared: its taker died.
import { createHash } from 'node:crypto';
import type { Logger } from '../log.js';
import {
  createExclusive,
  pidAlive,
  readIfExists,
  removeIfOurs,
  replaceAtomically,
  unlinkQuietly,
} from './shared-files.js';
import { loggable } from '../errors.js';

export interface Claim {
  owner: string;
  host: string;
  pid: number;
  claimedAt: number;
}

/** 'won': the lease is ours; 'busy': another agent is taking it over; 'changed': look at the lease again. */
export type TakeoverOutcome = 'won' | 'busy' | 'changed';

export interface TakeoverInput {
  file: string;
  /** The lease text judged stale. */
  staleText: string;
  claim: Claim;
  ttlMs: number;
  now: () => number;
  logger: Logger;
  /** Our lease body, rendered at the moment it is written. */
  newText: () => string;
}

export function claimFileFor(file: string, staleText: string): string {
  return `${file}.takeover-${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`;
}

export async function takeOver(i: TakeoverInput): Promise<TakeoverOutcome> {
  const claimFile = claimFileFor(i.file, i.staleText);
  if (!(await createExclusive(claimFile, JSON.stringify(i.claim), i.claim.owner, i.logger))) {
    return (await clearDeadClaim(claimFile, i)) ? 'changed' : 'busy';
  }
  try {
    if ((await readIfExists(i.file)) !== i.staleText) return 'changed';
    await replaceAtomically(i.file, i.newText(), i.claim.owner, i.logger);
    return 'won';
  } finally {
    await unlinkQuietly(claimFile, i.logger);
  }
}

/** Removes a claim whose taker died mid-takeover. True if the claim is gone. */
async function clearDeadClaim(claimFile: string, i: TakeoverInput): Promise<boolean> {
  const raw = await readIfExists(claimFile);
  if (raw === null) return true;
  let other: Claim | null = null;
  try {
    other = JSON.parse(raw) as Claim;
  } catch (err) {
    i.logger.warn({ err: loggable(err), claimFile }, 'unreadable takeover claim; clearing it');
  }
  if (other) {
    const dead = other.host === i.claim.host && !pidAlive(other.pid);
    if (!dead && i.now() - other.claimedAt <= i.ttlMs) return false;
  }
  await removeIfOurs(claimFile, `${claimFile}.${i.claim.owner}.aside`, (text) => text === raw, i.logger);
  return true;
}
