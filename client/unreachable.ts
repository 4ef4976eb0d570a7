// What to tell a user whose agent cannot be reached: where we tried, what failed, and what to do.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  DEFAULT_STATE_DIR,
  DEFAULT_TOKEN_FILE,
  leaseFilePath,
  leaseView,
  shortHost,
  tunnelHint,
  type LeaseView,
} from '../shared/contract.js';
import type { Endpoint } from './connection.js';

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
export function readLease(stateDir: string): LeaseView | undefined {
  try {
    return leaseView(JSON.parse(readFileSync(leaseFilePath(stateDir), 'utf8')));
  } catch (err) {
    // Missing, unreadable or half-written: there is no lease to report.
    void err;
    return undefined;
  }
}

function ago(ms: number | undefined, now: number): string | undefined {
  if (ms === undefined) return undefined;
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120
    ? `${s} s ago`
    : s < 7200
      ? `${Math.round(s / 60)} min ago`
      : `${Math.round(s / 3600)} h ago`;
}

function tilde(p: string, home: string | undefined): string {
  return home && p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p;
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
  const here = shortHost(opts.thisHost ?? hostname());
  const reason = REASONS[opts.code] ?? opts.detail;
  const lines = [`cannot reach the agent at ${opts.endpoint.display}: ${reason} (${opts.code})`];
  const lease = opts.stateDir ? readLease(opts.stateDir) : undefined;
  const leaseFile = opts.stateDir ? leaseFilePath(opts.stateDir) : '';
  if (lease && shortHost(lease.host) !== here) {
    const t = tunnelHint(lease.host, lease.listen, opts.tokenFile);
    const beat = ago(lease.heartbeatAt, now);
    lines.push(
      `the agent runs on ${lease.host} (listening on ${lease.listen ?? 'its configured address'}${beat ? `, heartbeat ${beat}` : ''}; from ${leaseFile}):`,
      `  ssh ${lease.host} and run emb-client there, or tunnel from here:`,
      `    ${t.ssh}`,
      `    ${t.client}`,
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
      `  ${tunnelHint('login-N', 'unix:/PATH').ssh}`,
      `  scp login-N:${tilde(opts.agentTokenFile ?? `${DEFAULT_STATE_DIR}/${DEFAULT_TOKEN_FILE}`, opts.home)} ~/.emb-agent-token && chmod 600 ~/.emb-agent-token`,
      `  ${tunnelHint('login-N', 'unix:/PATH').client}`,
    );
  }
  return lines.join('\n');
}
