// What to tell a user whose agent cannot be reached: where we tried, what failed, and what to do.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Endpoint } from './connection.js';

export interface Lease {
  host: string;
  pid: number | undefined;
  listen: string | undefined;
  heartbeatAt: string | undefined;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening there',
  ENOENT: 'the socket does not exist',
  EACCES: 'permission denied on the socket',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'no answer in time',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'the host name is unknown',
  EADDRNOTAVAIL: 'the address is not available here',
};

/** Reads <stateDir>/agent.lease defensively: any unreadable or odd file is as good as none. */
export function readLease(stateDir: string): Lease | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path.join(stateDir, 'agent.lease'), 'utf8'));
  } catch (err) {
    // Missing, unreadable or half-written: there is no lease to report.
    void err;
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.host !== 'string' || !r.host) return undefined;
  return {
    host: r.host,
    pid: typeof r.pid === 'number' ? r.pid : undefined,
    listen: typeof r.listen === 'string' ? r.listen : undefined,
    heartbeatAt:
      typeof r.heartbeatAt === 'string'
        ? r.heartbeatAt
        : typeof r.heartbeatAt === 'number'
          ? new Date(r.heartbeatAt).toISOString()
          : undefined,
  };
}

function ago(iso: string | undefined, now: number): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  const s = Math.max(0, Math.round((now - t) / 1000));
  return s < 120
    ? `${s} s ago`
    : s < 7200
      ? `${Math.round(s / 60)} min ago`
      : `${Math.round(s / 3600)} h ago`;
}

function tilde(p: string, home: string | undefined): string {
  return home && p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p;
}

function short(host: string): string {
  return host.split('.')[0] ?? host;
}

/** The ssh -L forward for an agent listening on `listen` ("127.0.0.1:8787" or "unix:/path"). */
export function tunnelCommand(host: string, listen: string | undefined): { ssh: string; localPort: number } {
  if (listen?.startsWith('unix:'))
    return { ssh: `ssh -N -L 8787:${listen.slice(5)} ${host}`, localPort: 8787 };
  const port = Number(listen?.slice(listen.lastIndexOf(':') + 1)) || 8787;
  return { ssh: `ssh -N -L ${port}:127.0.0.1:${port} ${host}`, localPort: port };
}

export function unreachableMessage(opts: {
  endpoint: Endpoint;
  code: string;
  detail: string;
  stateDir: string | undefined;
  tokenFile: string;
  /** Where the agent keeps its token (from the config), for the copy recipe. */
  agentTokenFile?: string | undefined;
  home?: string | undefined;
  now?: number;
  thisHost?: string;
}): string {
  const now = opts.now ?? Date.now();
  const here = short(opts.thisHost ?? hostname());
  const reason = REASONS[opts.code] ?? opts.detail;
  const lines = [`cannot reach the agent at ${opts.endpoint.display}: ${reason} (${opts.code})`];
  const lease = opts.stateDir ? readLease(opts.stateDir) : undefined;
  const leaseFile = opts.stateDir ? path.join(opts.stateDir, 'agent.lease') : '';
  if (lease && short(lease.host) !== here) {
    const t = tunnelCommand(lease.host, lease.listen);
    const beat = ago(lease.heartbeatAt, now);
    lines.push(
      `the agent runs on ${lease.host} (listening on ${lease.listen ?? 'its configured address'}${beat ? `, heartbeat ${beat}` : ''}; from ${leaseFile}):`,
      `  ssh ${lease.host} and run emb-client there, or tunnel from here:`,
      `    ${t.ssh} &`,
      `    emb-client --url http://127.0.0.1:${t.localPort} --token-file ${opts.tokenFile} ...`,
    );
  } else if (lease) {
    const beat = ago(lease.heartbeatAt, now);
    lines.push(
      `the lease ${leaseFile} says the agent runs here (pid ${lease.pid ?? '?'}${lease.listen ? `, listening on ${lease.listen}` : ''}${beat ? `, heartbeat ${beat}` : ''}); it may have stopped or listen elsewhere:`,
      '  systemctl --user status emb-agent    (or: emb-agent run, to start it in the foreground)',
    );
  } else {
    lines.push(
      'is the agent running? Start it with `emb-agent run` (foreground) or `systemctl --user start emb-agent`;',
      '  check it with `systemctl --user status emb-agent`.',
      'if it runs on another machine (e.g. login-N), tunnel a local port to its socket and use a copy of its token:',
      '  ssh login-N emb-client health      # prints "listening on unix:/PATH"',
      '  ssh -N -L 8787:/PATH login-N &',
      `  scp login-N:${tilde(opts.agentTokenFile ?? '~/.local/state/emb-agent/api-token', opts.home)} ~/.emb-agent-token && chmod 600 ~/.emb-agent-token`,
      '  emb-client --url http://127.0.0.1:8787 --token-file ~/.emb-agent-token ...',
    );
  }
  return lines.join('\n');
}
