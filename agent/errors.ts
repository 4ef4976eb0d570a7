// One catalogue of agent errors: every error has a stable code, an HTTP status and, where it wraps one, a cause.
export const ERRORS = {
  AGENT_ERR_CONFIG: 500,
  AGENT_ERR_UNAUTHORIZED: 401,
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
  AGENT_ERR_INTERNAL: 500,
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

/** A short description of any thrown value, for logs and events. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
