// What the lease file says, and how to put it into words. Its fields are the shared contract's LeaseFields
// (emb-client reads the same file); this side validates them with zod.
import { z } from 'zod';
import { shortHost, tunnelCommand, type LeaseFields } from '../../shared/contract.js';

export const LeaseBodySchema = z.looseObject({
  /** Random id of one agent run: tells "ours" from "a previous run with a reused pid". */
  owner: z.string().min(1),
  host: z.string().min(1),
  pid: z.number().int().positive(),
  /** The API address as configured or bound (e.g. "127.0.0.1:8787", "unix:/path"), or null before listen. */
  listen: z.string().nullable(),
  /** Wall-clock ms on the holder's host. */
  startedAt: z.number(),
  heartbeatAt: z.number(),
  version: z.string(),
});

export type LeaseBody = z.infer<typeof LeaseBodySchema>;

// The schema and the contract must name the same fields with the same types: tsc fails here otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameAsContract: [
  Same<keyof typeof LeaseBodySchema.shape, keyof LeaseFields>,
  Same<Pick<LeaseBody, keyof LeaseFields>, LeaseFields>,
] = [true, true];
void _sameAsContract;

/** Parses a lease file's text; throws an Error naming the first problem. */
export function parseLeaseBody(text: string, where: string): LeaseBody {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where} is not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = LeaseBodySchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(
      `${where}: ${i ? `${i.path.join('.') || '(top level)'}: ${i.message}` : 'invalid lease'}`,
    );
  }
  return parsed.data;
}

function ago(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 0) return `${-s} s in the future (clock skew)`;
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** "login-3 (pid 1234, heartbeat 12 s ago, listening on 127.0.0.1:8787)". */
export function describeHolder(body: LeaseBody, now: number): string {
  const listen = body.listen ? `listening on ${body.listen}` : 'not listening yet';
  return `${body.host} (pid ${body.pid}, heartbeat ${ago(now - body.heartbeatAt)}, ${listen})`;
}

/**
 * How a client on `thisHost` reaches the agent the lease names: directly when on the same host; otherwise
 * through an ssh tunnel to the holder's login node (the API listens on loopback only).
 */
export function reachHint(body: LeaseBody, thisHost: string): string {
  if (shortHost(body.host) === shortHost(thisHost)) {
    return body.listen
      ? `the agent runs on this host; its API is ${body.listen}`
      : 'the agent runs on this host';
  }
  // ssh forwards a local port to the remote socket or port; the client then checks the agent's proof over it.
  const t = tunnelCommand(body.host, body.listen);
  return (
    `the agent runs on ${body.host}; tunnel to ${body.listen?.startsWith('unix:') ? 'its socket' : 'it'} with ` +
    `${t.ssh} & then emb-client --url http://127.0.0.1:${t.localPort} ...` +
    ` (or run emb-client there: ssh ${body.host} emb-client ...)`
  );
}
