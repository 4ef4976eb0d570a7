// The agent's logger. Secrets are scrubbed at the logger so no call site can leak one by mistake.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const SAS_SIG = /([?&]|\b)sig=[^&\s"']+/gi;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

/** Removes SAS signatures and bearer tokens from free text. */
export function scrubSecrets(text: string): string {
  return text.replace(SAS_SIG, '$1sig=REDACTED').replace(BEARER, '$1REDACTED');
}

export function createLogger(
  level: string,
  destination?: DestinationStream,
  bindings: Record<string, unknown> = {},
): Logger {
  return pino(
    {
      level,
      base: { ...bindings },
      redact: {
        paths: [
          'token',
          '*.token',
          'key',
          '*.key',
          'subscriptionKey',
          'authorization',
          '*.authorization',
          'req.headers.authorization',
          'headers.authorization',
          'headers["ocp-apim-subscription-key"]',
        ],
        censor: 'REDACTED',
      },
      hooks: {
        // Scrub the final line: messages, bindings, errors and their causes alike, whatever their shape.
        streamWrite: (line) => scrubSecrets(line),
      },
    },
    destination,
  );
}

/** A logger that writes nothing, for tests and short-lived commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
