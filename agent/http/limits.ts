// How much of the agent one client may hold: connections, and how long a request may take to arrive or a
// connection may sit idle. Any local user can open connections to a TCP port; left unbounded, 21,000 idle
// ones exhausted the agent's descriptors and stalled its lease heartbeat past the lease's TTL.
import type { Server } from 'node:http';

export interface ServerLimits {
  /** Open connections at once; beyond it new ones are closed at accept (emb-client needs one or two). */
  maxConnections: number;
  /** The whole request, headers and body, must arrive within this. */
  requestTimeoutMs: number;
  /** Headers must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** A kept-alive connection with no request in flight is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection with no traffic at all is closed after this. */
  idleTimeoutMs: number;
  /** How often Node checks the two time-outs above it (its default, 30 s, lets a slow client linger). */
  checkIntervalMs: number;
  maxRequestsPerSocket: number;
  /** Request bodies (submit carries an environment: tens of kB). */
  bodyLimitBytes: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxConnections: 128,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  checkIntervalMs: 2_000,
  maxRequestsPerSocket: 1000,
  bodyLimitBytes: 1024 * 1024,
};

/** Fastify's constructor options for these limits. */
export function fastifyLimitOptions(l: ServerLimits) {
  return {
    bodyLimit: l.bodyLimitBytes,
    connectionTimeout: l.idleTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    maxRequestsPerSocket: l.maxRequestsPerSocket,
    http: {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      connectionsCheckingInterval: l.checkIntervalMs,
    },
  };
}

/** What only the server object takes. */
export function applyServerLimits(server: Server, l: ServerLimits): void {
  server.maxConnections = l.maxConnections;
  server.headersTimeout = l.headersTimeoutMs;
}
