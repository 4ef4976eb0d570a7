// The client's failures, each with the exit code the README documents and a code for `--json` errors.
export const EXIT = { ok: 0, api: 1, usage: 2, unreachable: 3 } as const;

const CODE_OF_EXIT: Record<number, string> = {
  [EXIT.api]: 'EMB_CLIENT_FAILED',
  [EXIT.usage]: 'EMB_CLIENT_USAGE',
  [EXIT.unreachable]: 'EMB_CLIENT_UNREACHABLE',
};

export class ClientError extends Error {
  readonly exitCode: number;
  /** What a script matches on in a `--json` error. */
  readonly code: string;
  constructor(exitCode: number, message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.name = 'ClientError';
    this.exitCode = exitCode;
    this.code = options?.code ?? CODE_OF_EXIT[exitCode] ?? 'EMB_CLIENT_FAILED';
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
  readonly status: number;
  /** The agent's message alone, without the code in front. */
  readonly detail: string;
  constructor(status: number, code: string, message: string) {
    super(EXIT.api, `${code}: ${message}`, { code });
    this.name = 'ApiError';
    this.status = status;
    this.detail = message;
  }
}
