// The agent's exit codes. systemd (RestartPreventExitStatus=), the detached script and users' scripts rely on
// them, so they are part of the public surface: extend, never renumber.
import { isAgentError, isConfigProblem } from '../errors.js';

export const EXIT = {
  /** A clean stop (SIGTERM, SIGINT, SIGHUP; or `emb-agent check` found nothing wrong). */
  OK: 0,
  /** An unexpected error; systemd restarts the agent. */
  UNEXPECTED: 1,
  /** The config or environment is wrong; restarting will not help until a person fixes it. */
  CONFIG: 2,
  /** Another agent holds the lease (on another login node, or here), or took it over while we ran.
   *  systemd retries, so a unit on a second login node stands by until the holder's lease expires. */
  LEASE_HELD: 3,
  /** The database was migrated by a newer build; refuse rather than corrupt it. */
  DB_NEWER: 4,
  /** The API address cannot be listened on (in use, not permitted, not local). */
  CANNOT_LISTEN: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Codes after which an automatic restart cannot succeed; the unit's RestartPreventExitStatus= lists them. */
export const NO_RESTART_EXIT_CODES: readonly ExitCode[] = [EXIT.CONFIG, EXIT.DB_NEWER];

const LISTEN_ERRNOS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'EPERM']);

/**
 * The exit code for an error that ended `emb-agent run`. Listen failures are recognised by the
 * errno node puts on them (syscall "listen"/"bind"); main may also pass `phase: 'listen'`.
 */
export function exitCodeFor(err: unknown, phase?: 'listen'): ExitCode {
  if (isConfigProblem(err)) return EXIT.CONFIG;
  if (isAgentError(err, 'AGENT_ERR_LEASE_HELD')) return EXIT.LEASE_HELD;
  if (isAgentError(err, 'AGENT_ERR_DB_NEWER')) return EXIT.DB_NEWER;
  if (phase === 'listen') return EXIT.CANNOT_LISTEN;
  const e = err as NodeJS.ErrnoException | null;
  if (
    e &&
    typeof e === 'object' &&
    (e.syscall === 'listen' || e.syscall === 'bind') &&
    LISTEN_ERRNOS.has(e.code ?? '')
  ) {
    return EXIT.CANNOT_LISTEN;
  }
  return EXIT.UNEXPECTED;
}
