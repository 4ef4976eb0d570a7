// The shapes notifications pass through: an event offered, a message the throttle lets out, a target.
import type { NOTIFY_KINDS } from '../config/schema.js';

export type NotifyKind = (typeof NOTIFY_KINDS)[number];
export type NotifyLevel = 'info' | 'warn' | 'error';

/** What the agent offers the notifier: one thing a person may want to hear about. */
export interface NotifyEvent {
  kind: NotifyKind;
  level: NotifyLevel;
  submissionId?: number | null;
  taskId?: number | null;
  jobId?: string | null;
  /** What the rate limit is per when there is no submission: a shard folder, a token's collection. */
  subject?: string | null;
  /** One line, for a person. */
  message: string;
  data?: Record<string, unknown> | null;
  /** Epoch ms. */
  at: number;
}

/** One message to deliver: a single event, or a digest of those the window held back. */
export interface NotifyMessage {
  kind: NotifyKind | 'test';
  level: NotifyLevel;
  title: string;
  /** The events it reports (a digest lists at most DIGEST_LIST of them; `count` says how many there were). */
  events: NotifyEvent[];
  count: number;
  digest: boolean;
  /** A line before the events' (the test message has only this). */
  text?: string;
  at: number;
}

/** A delivery's outcome: retry unless `permanent` (a 4xx that is not 408/429, a missing sendmail). */
export interface SendFailure {
  error: Error;
  permanent: boolean;
  /** The wait the other side asked for (429 Retry-After), ms. */
  retryAfterMs?: number | null;
}

/** Somewhere messages go. `send` resolves null on success; it never throws. */
export interface Target {
  /** Safe to log and show: never the webhook's whole URL. */
  readonly name: string;
  readonly type: 'webhook' | 'mail';
  /** The kinds it wants; null = all. */
  readonly events: readonly NotifyKind[] | null;
  /** `signal` aborts a delivery under way (the agent is stopping). */
  send(message: NotifyMessage, note: string | null, signal?: AbortSignal): Promise<SendFailure | null>;
}

export interface TargetResult {
  target: string;
  type: 'webhook' | 'mail';
  ok: boolean;
  error: string | null;
}
