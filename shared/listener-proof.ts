// The agent proves it knows the API token before a client sends it over TCP: the client posts a fresh nonce
// to the one route that needs no token, and checks the answer, an HMAC keyed by the token, in constant time.

/**
 * node:crypto when first needed, not at import: the client's single-file bundle hoists static imports of
 * built-ins to its start, and crypto's dozen internal modules then load for every command, --version too.
 */
const crypto = () => process.getBuiltinModule('node:crypto');

export const CHALLENGE_PATH = '/auth/challenge';

/** Domain separation: the proof cannot be mistaken for any other use of the token. */
const LABEL = 'emb-agent listener proof v1\n';

/** 32 random bytes, hex: what a client sends. */
export function newNonce(): string {
  return crypto().randomBytes(32).toString('hex');
}

/** A nonce is 32 to 128 hex digits; anything else is refused before any HMAC is computed. */
export const NONCE_RE = /^[0-9a-f]{32,128}$/;

/** HMAC-SHA256(token, label ‖ nonce), hex. */
export function listenerProof(token: string, nonce: string): string {
  return crypto().createHmac('sha256', token).update(LABEL).update(nonce).digest('hex');
}

/** Whether `proof` is the right answer to `nonce` for `token`, compared in constant time. */
export function proofHolds(token: string, nonce: string, proof: unknown): boolean {
  if (typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) return false;
  return crypto().timingSafeEqual(Buffer.from(listenerProof(token, nonce), 'hex'), Buffer.from(proof, 'hex'));
}
