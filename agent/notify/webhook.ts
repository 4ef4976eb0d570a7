// A webhook target: one POST per message, in the configured format, with a time-out. Its URL is a secret
// (a Slack hook or an ntfy topic lets anyone who has it post or read): it appears in no log, error or body.
import { AgentError } from '../errors.js';
import { retryAfterMs } from '../tokens/backoff.js';
import {
  jsonRequest,
  ntfyRequest,
  slackRequest,
  type Origin,
  type Scrub,
  type WireRequest,
} from './formats.js';
import type { NotifyKind, NotifyMessage, SendFailure, Target } from './types.js';

export type WebhookFormat = 'json' | 'slack' | 'ntfy';

const RENDER: Record<
  WebhookFormat,
  (m: NotifyMessage, o: Origin, note: string | null, s: Scrub) => WireRequest
> = {
  json: jsonRequest,
  slack: slackRequest,
  ntfy: ntfyRequest,
};

/** A webhook's name for logs: its format and host, never its path or query (where the secret is). */
export function webhookName(url: string, format: WebhookFormat, name: string | undefined): string {
  if (name) return name;
  let host = 'invalid-url';
  try {
    host = new URL(url).host;
  } catch (err) {
    // Validated by the config schema; a name is all that is made of it here.
    host = `unparsable (${(err as Error).name})`;
  }
  return `${format} ${host}`;
}

export interface WebhookOptions {
  url: string;
  format: WebhookFormat;
  name: string;
  events: readonly NotifyKind[] | null;
  timeoutMs: number;
  origin: Origin;
  scrub: Scrub;
  now: () => number;
}

/** 408 and 429 ask to come back later, 5xx may pass; any other 4xx will answer the same next time. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export class WebhookTarget implements Target {
  readonly type = 'webhook';
  readonly name: string;
  readonly events: readonly NotifyKind[] | null;

  constructor(private readonly o: WebhookOptions) {
    this.name = o.name;
    this.events = o.events;
  }

  async send(m: NotifyMessage, note: string | null, signal?: AbortSignal): Promise<SendFailure | null> {
    const req = RENDER[this.o.format](m, this.o.origin, note, this.o.scrub);
    let res: Response;
    try {
      res = await fetch(this.o.url, {
        method: 'POST',
        headers: { ...req.headers, 'user-agent': 'emb-agent' },
        body: req.body,
        redirect: 'error',
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs)])
          : AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      // fetch's messages name the host at most; scrubbed anyway, in case an implementation quotes the URL.
      const why = this.o.scrub(describeFetchError(err));
      // The cause is rebuilt from the scrubbed text: the log serialises causes, and the URL must stay out.
      return {
        error: new AgentError('AGENT_ERR_NOTIFY', `webhook ${this.name}: ${why}`, { cause: new Error(why) }),
        permanent: false,
      };
    }
    const text = await res.text().catch((err: unknown) => `(body unreadable: ${String(err)})`);
    if (res.ok) return null;
    const error = new AgentError(
      'AGENT_ERR_NOTIFY',
      `webhook ${this.name}: HTTP ${res.status} ${this.o.scrub(text.slice(0, 200))}`.trim(),
      { cause: { status: res.status } },
    );
    return {
      error,
      permanent: !retryable(res.status),
      retryAfterMs:
        res.status === 429 ? retryAfterMs(res.headers.get('retry-after'), text, this.o.now()) : null,
    };
  }
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  if (err instanceof Error && err.name === 'AbortError') return 'abandoned: the agent is stopping';
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
