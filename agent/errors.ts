// One catalogue of agent errors: every error has a stable code, an HTTP status and, where it wraps one, a cause.
export const ERRORS = {
  AGENT_ERR_CONFIG: 500,
  /** The config file's values: each problem named by its key. */
  AGENT_ERR_CONFIG_INVALID: 500,
  /** The config file cannot be read, or is not YAML. */
  AGENT_ERR_CONFIG_UNREADABLE: 500,
  AGENT_ERR_UNAUTHORIZED: 401,
  AGENT_ERR_FORBIDDEN: 403,
  AGENT_ERR_BAD_REQUEST: 400,
  AGENT_ERR_NOT_FOUND: 404,
  AGENT_ERR_CONFLICT: 409,
  AGENT_ERR_SCHEDULER_UNAVAILABLE: 503,
  AGENT_ERR_SCHEDULER_TRANSIENT: 503,
  AGENT_ERR_SCHEDULER_REJECTED: 422,
  AGENT_ERR_SCHEDULER_OUTPUT: 502,
  AGENT_ERR_DB_NEWER: 500,
  AGENT_ERR_DB: 500,
  AGENT_ERR_LEASE_HELD: 409,
  AGENT_ERR_TOKEN_FETCH: 502,
  AGENT_ERR_NOT_TRACKED: 404,
  /** A notification could not be delivered (a webhook's answer, sendmail's exit); never stops the agent. */
  AGENT_ERR_NOTIFY: 502,
  AGENT_ERR_INTERNAL: 500,
  /** Preflight: the site's partition rules (or sbatch --test-only) refuse the job; nothing was submitted. */
  AGENT_ERR_PREFLIGHT_REFUSED: 422,
} as const;

export type AgentErrorCode = keyof typeof ERRORS;

export class AgentError extends Error {
  readonly code: AgentErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: AgentErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentError';
    this.code = code;
    this.status = ERRORS[code];
    this.details = options.details;
  }
}

export function isAgentError(err: unknown, code?: AgentErrorCode): err is AgentError {
  return err instanceof AgentError && (code === undefined || err.code === code);
}

/** A config or environment problem: a person must fix it, restarting cannot (EXIT.CONFIG). */
export function isConfigProblem(err: unknown): boolean {
  return err instanceof AgentError && err.code.startsWith('AGENT_ERR_CONFIG');
}

/** The config file cannot be used: the message lists every problem, one a line, each with its key. */
export class ConfigError extends AgentError {
  readonly problems: string[];
  constructor(
    code: 'AGENT_ERR_CONFIG_INVALID' | 'AGENT_ERR_CONFIG_UNREADABLE',
    message: string,
    problems: string[],
    options: { cause?: unknown } = {},
  ) {
    super(code, `${message}:\n  - ${problems.join('\n  - ')}`, { ...options, details: { problems } });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * How every error goes into the log, the one way: `logger.warn({ err: loggable(err), ... }, 'what failed')`.
 * Under `err`, pino's serializer keeps the type, code, details, stack and causes (a message string drops
 * them; another key logs an Error as {}); a thrown value that is not an Error becomes one.
 */
export function loggable(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** The errno name of a failed system call (ENOENT, EEXIST...), or undefined for any other thrown value. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A short description of any thrown value, for messages and events (the log takes loggable()). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
