// The agent's logger. Secrets are scrubbed at the logger so no call site can leak one by mistake.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const SAS_SIG = /([?&]|\b)sig=[^&\s"']+/gi;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;
/** Credentials in a query string (`?token=`, `&api_key=`, the page's one-time `?code=`...): request URLs are logged, and upstreams echo them. */
const QUERY_SECRET =
  /([?&](?:token|access_token|api[_-]?key|key|subscription[_-]?key|password|secret|code)=)[^&\s"'#]+/gi;
/** The SAS subscription key as a header, echoed back in an error body or a dump of the request. */
const KEY_HEADER = /(Ocp-Apim-Subscription-Key["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi;

/** Removes SAS signatures, bearer tokens, query-string credentials and subscription-key headers from free text. */
export function scrubSecrets(text: string): string {
  return text
    .replace(SAS_SIG, '$1sig=REDACTED')
    .replace(BEARER, '$1REDACTED')
    .replace(QUERY_SECRET, '$1REDACTED')
    .replace(KEY_HEADER, '$1REDACTED');
}

/** scrubSecrets, and every known secret value (a key the agent sent) replaced wherever it appears. */
export function scrubKnown(text: string, known: readonly string[]): string {
  let out = scrubSecrets(text);
  // Short values would blank ordinary words; real keys and tokens are far longer.
  for (const v of known) if (v.length >= 8) out = out.split(v).join('REDACTED');
  return out;
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
