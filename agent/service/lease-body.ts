// What the lease file says, and how to put it into words. Depends on zod only, so emb-client (which may
// import no agent code but agent/api) can use it once it is moved there.
import { z } from 'zod';

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
  const short = (h: string) => h.split('.')[0] ?? h;
  if (short(body.host) === short(thisHost)) {
    return body.listen
      ? `the agent runs on this host; its API is ${body.listen}`
      : 'the agent runs on this host';
  }
  if (body.listen?.startsWith('unix:')) {
    // ssh forwards a local port to a remote unix socket; the client then checks the agent's proof over it.
    return (
      `the agent runs on ${body.host}; tunnel to its socket with ` +
      `ssh -N -L 8787:${body.listen.slice(5)} ${body.host} & then emb-client --url http://127.0.0.1:8787 ...` +
      ` (or run emb-client there: ssh ${body.host} emb-client ...)`
    );
  }
  const port = body.listen ? body.listen.slice(body.listen.lastIndexOf(':') + 1) : '8787';
  const host = body.listen ? body.listen.slice(0, body.listen.lastIndexOf(':')) : '127.0.0.1';
  return (
    `the agent runs on ${body.host}; tunnel to it with ` +
    `ssh -N -L ${port}:${host}:${port} ${body.host} & then emb-client --url http://127.0.0.1:${port} ...` +
    ` (or run emb-client there: ssh ${body.host} emb-client ...)`
  );
}
