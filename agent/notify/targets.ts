// The config's notify section as targets. Pure: finding sendmail (I/O) is the notifier's start().
import type { ParsedConfig } from '../config/schema.js';
import type { Origin, Scrub } from './formats.js';
import { MailTarget } from './sendmail.js';
import type { Target } from './types.js';
import { webhookName, WebhookTarget } from './webhook.js';

export type NotifyConfig = ParsedConfig['notify'];

export interface TargetContext {
  origin: Origin;
  scrub: Scrub;
  now: () => number;
  /** The sendmail found at start(), or null. */
  sendmail: () => string | null;
}

export function targetsFor(config: NotifyConfig, ctx: TargetContext): Target[] {
  const timeoutMs = config.timeoutSeconds * 1000;
  const targets: Target[] = config.webhooks.map(
    (w) =>
      new WebhookTarget({
        url: w.url,
        format: w.format,
        name: webhookName(w.url, w.format, w.name),
        events: w.events ?? null,
        timeoutMs,
        origin: ctx.origin,
        scrub: ctx.scrub,
        now: ctx.now,
      }),
  );
  if (config.mail) {
    targets.push(
      new MailTarget({
        to: config.mail.to,
        from: config.mail.from,
        sendmail: ctx.sendmail,
        events: config.mail.events ?? null,
        timeoutMs,
        origin: ctx.origin,
        scrub: ctx.scrub,
      }),
    );
  }
  return targets;
}

/** What must never appear in a message or a log line: every webhook URL (and the secrets the agent adds). */
export function secretsOf(config: NotifyConfig): string[] {
  return config.webhooks.flatMap((w) => {
    // The path and query alone too: an error may quote the request line without the host.
    const u = URL.parse(w.url);
    return u ? [w.url, `${u.pathname}${u.search}`] : [w.url];
  });
}
