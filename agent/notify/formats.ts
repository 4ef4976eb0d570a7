// What a message looks like on the wire: a generic JSON body, Slack's {"text"}, ntfy's text with headers,
// and a plain-text mail. Every body is scrubbed as a whole at the end, so no part can carry a secret out.
import type { NotifyEvent, NotifyMessage } from './types.js';

export type Scrub = (text: string) => string;

export interface WireRequest {
  body: string;
  headers: Record<string, string>;
}

/** Where the message comes from, for a reader with several agents. */
export interface Origin {
  host: string;
  user: string;
}

function diagnosisLine(e: NotifyEvent): string | null {
  const d = e.data?.diagnosis as { cause?: unknown; hint?: unknown } | null | undefined;
  if (!d || typeof d.cause !== 'string') return null;
  return typeof d.hint === 'string' ? `${d.cause}: ${d.hint}` : d.cause;
}

/** The message as lines of text: each event, its diagnosis, then how many more a digest left out. */
export function messageLines(m: NotifyMessage, note: string | null): string[] {
  const lines: string[] = m.text ? [m.text] : [];
  for (const e of m.events) {
    lines.push(m.events.length > 1 ? `- ${e.message}` : e.message);
    const d = diagnosisLine(e);
    if (d) lines.push(`  diagnosis ${d}`);
  }
  if (m.count > m.events.length) lines.push(`... and ${m.count - m.events.length} more`);
  if (note) lines.push(note);
  return lines;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function jsonRequest(
  m: NotifyMessage,
  origin: Origin,
  note: string | null,
  scrub: Scrub,
): WireRequest {
  const body = {
    kind: m.kind,
    level: m.level,
    title: m.title,
    text: messageLines(m, note).join('\n'),
    digest: m.digest,
    count: m.count,
    at: iso(m.at),
    host: origin.host,
    user: origin.user,
    events: m.events.map((e) => ({
      kind: e.kind,
      level: e.level,
      submissionId: e.submissionId ?? null,
      taskId: e.taskId ?? null,
      jobId: e.jobId ?? null,
      subject: e.subject ?? null,
      message: e.message,
      data: e.data ?? null,
      at: iso(e.at),
    })),
    ...(note ? { note } : {}),
  };
  return { body: scrub(JSON.stringify(body)), headers: { 'content-type': 'application/json' } };
}

export function slackRequest(
  m: NotifyMessage,
  origin: Origin,
  note: string | null,
  scrub: Scrub,
): WireRequest {
  // mrkdwn: the title bold; &, < and > escaped as Slack asks, so a log line cannot form a link or mention.
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const text = [`*${esc(m.title)}*`, ...messageLines(m, note).map(esc), `_${origin.user}@${origin.host}_`];
  return {
    body: scrub(JSON.stringify({ text: text.join('\n') })),
    headers: { 'content-type': 'application/json' },
  };
}

const NTFY_PRIORITY = { error: 'high', warn: 'default', info: 'low' } as const;
const NTFY_TAGS: Record<NotifyMessage['kind'], string> = {
  failed: 'x',
  stalled: 'warning',
  exhausted: 'warning',
  done: 'white_check_mark',
  blocked: 'construction',
  shards: 'package',
  token: 'key',
  crash: 'boom',
  test: 'bell',
};

/** A header value: one line, and RFC 2047 encoded when not plain ASCII (fetch refuses other bytes). */
export function headerValue(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ').trim();
  if (/^[\x20-\x7e]*$/.test(line)) return line;
  return `=?UTF-8?B?${Buffer.from(line, 'utf8').toString('base64')}?=`;
}

export function ntfyRequest(
  m: NotifyMessage,
  origin: Origin,
  note: string | null,
  scrub: Scrub,
): WireRequest {
  return {
    body: scrub([...messageLines(m, note), `${origin.user}@${origin.host}`].join('\n')),
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      title: headerValue(scrub(m.title)),
      priority: NTFY_PRIORITY[m.level],
      tags: NTFY_TAGS[m.kind],
    },
  };
}

export interface MailFields {
  to: readonly string[];
  from?: string | undefined;
}

/** An RFC 5322 message for sendmail's stdin: headers, a blank line, the text (lines end in \n, as sendmail wants). */
export function mailText(
  m: NotifyMessage,
  origin: Origin,
  note: string | null,
  scrub: Scrub,
  fields: MailFields,
): string {
  const headers = [
    ...(fields.from ? [`From: ${fields.from}`] : []),
    `To: ${fields.to.join(', ')}`,
    `Subject: ${headerValue(scrub(`[emb-agent] ${m.title}`))}`,
    `Date: ${new Date(m.at).toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    // Tells vacation responders and mailing lists not to answer a machine.
    'Auto-Submitted: auto-generated',
  ];
  const body = [...messageLines(m, note), '', `-- emb-agent, ${origin.user}@${origin.host}`];
  // A line of a lone "." ends the message for some sendmails (without -i): doubled, as SMTP does.
  const text = body.map((l) => (l === '.' ? '..' : l)).join('\n');
  return `${headers.join('\n')}\n\n${scrub(text)}\n`;
}
