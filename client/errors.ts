// The client's failures, each with the exit code the README documents.
export const EXIT = { ok: 0, api: 1, usage: 2, unreachable: 3 } as const;

export class ClientError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientError';
    this.exitCode = exitCode;
  }
}

export class UsageError extends ClientError {
  constructor(message: string) {
    super(EXIT.usage, message);
    this.name = 'UsageError';
  }
}

/** An error reply from the agent: its code and message, printed as they are. */
export class ApiError extends ClientError {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(EXIT.api, `${code}: ${message}`);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}
