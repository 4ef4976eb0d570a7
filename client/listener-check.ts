// Before the token leaves: is the listener the user's own agent? A socket must sit in a folder only the user
// can write; a TCP port must not be held by another uid (the kernel says who, in /proc/net/tcp{,6}), and the
// agent must prove it knows the token (an HMAC of a fresh nonce) before the client sends it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { socketFileProblem, socketFolderProblem } from '../shared/socket-path.js';
import type { Endpoint } from './connection.js';
import { ClientError, EXIT } from './errors.js';
import { send } from './http.js';

export interface ListenSocket {
  /** 4 or 16 bytes. */
  address: number[];
  port: number;
  uid: number;
}

/** The listening sockets in /proc/net/tcp or tcp6 text (st 0A), with their owners' uids. */
export function parseProcNetTcp(text: string): ListenSocket[] {
  const out: ListenSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[3] !== '0A') continue;
    const [hexAddr, hexPort] = (f[1] ?? '').split(':');
    if (!hexAddr || !hexPort || !/^[0-9A-Fa-f]+$/.test(hexAddr + hexPort)) continue;
    // The kernel prints the address as 32-bit words in host order (little-endian here).
    const address: number[] = [];
    for (let w = 0; w < hexAddr.length; w += 8) {
      const word = hexAddr.slice(w, w + 8);
      for (let b = 6; b >= 0; b -= 2) address.push(parseInt(word.slice(b, b + 2), 16));
    }
    out.push({ address, port: parseInt(hexPort, 16), uid: Number(f[7]) });
  }
  return out;
}

/** 127.0.0.0/8, ::1, ::ffff:127.x, or a wildcard (0.0.0.0, ::): the sockets a loopback connect may reach. */
function reachableFromLoopback(a: number[]): boolean {
  if (a.length === 4) return a[0] === 127 || a.every((b) => b === 0);
  const zeros = (from: number, to: number) => a.slice(from, to).every((b) => b === 0);
  if (zeros(0, 16)) return true;
  if (zeros(0, 15) && a[15] === 1) return true;
  return zeros(0, 10) && a[10] === 0xff && a[11] === 0xff && a[12] === 127;
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;

/** The uids other than `uid` that hold a listening socket a loopback connection to `port` may reach. */
export function foreignListeners(tables: string[], port: number, uid: number): number[] {
  const uids = new Set<number>();
  for (const table of tables) {
    for (const s of parseProcNetTcp(table)) {
      if (s.port === port && reachableFromLoopback(s.address) && s.uid !== uid) uids.add(s.uid);
    }
  }
  return [...uids];
}

function readTables(): string[] {
  const out: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      out.push(readFileSync(f, 'utf8'));
    } catch (err) {
      // No /proc (macOS) or no IPv6: the agent's proof below is then the only check.
      void err;
    }
  }
  return out;
}

function refuse(endpoint: Endpoint, why: string): ClientError {
  return new ClientError(
    EXIT.unreachable,
    `refusing to send your API token to ${endpoint.display}: ${why}.\n` +
      '  Another user may be listening there. Use the default socket (no api.listen), or a socket in a ' +
      'folder only you can write.',
  );
}

/** Throws a ClientError when the listener cannot be trusted with the token; TransportError passes through. */
export async function verifyListener(
  endpoint: Endpoint,
  token: string,
  opts: { uid: number; timeoutMs: number; tokenFile: string },
): Promise<void> {
  if (endpoint.kind === 'unix') {
    const dir = path.dirname(endpoint.socketPath);
    const problem = socketFolderProblem(dir, opts.uid);
    // A missing folder means no agent: the request itself then fails with ENOENT, explained as unreachable.
    if (problem !== null && !problem.endsWith('does not exist')) throw refuse(endpoint, problem);
    const own = socketFileProblem(endpoint.socketPath, opts.uid);
    if (own !== null) throw refuse(endpoint, own);
    return;
  }
  if (LOOPBACK_HOST.test(endpoint.host)) {
    const others = foreignListeners(readTables(), endpoint.port, opts.uid);
    if (others.length) {
      throw refuse(
        endpoint,
        `port ${endpoint.port} is held by uid ${others.join(', ')}, not by you (uid ${opts.uid})`,
      );
    }
  }
  // node:crypto only here: a unix socket (the default) needs no proof.
  const { CHALLENGE_PATH, newNonce, proofHolds } = await import('../shared/listener-proof.js');
  const nonce = newNonce();
  // No token on this request; a TransportError (nothing listening) is explained by the caller as usual.
  const reply = await send(endpoint, {
    method: 'POST',
    path: CHALLENGE_PATH,
    token: null,
    body: { nonce },
    timeoutMs: opts.timeoutMs,
  });
  let proof: unknown;
  try {
    proof = (JSON.parse(reply.body) as { proof?: unknown }).proof;
  } catch (err) {
    // Not JSON: whatever answered is not an agent, and fails the check below.
    void err;
  }
  if (reply.status !== 200 || !proofHolds(token, nonce, proof)) {
    throw refuse(
      endpoint,
      `the listener could not prove it knows the token in ${opts.tokenFile} (HTTP ${reply.status}); ` +
        "either it is not your agent, or that file is not the agent's current <stateDir>/api-token",
    );
  }
}
