// What the HTTP app needs from the rest of the agent. buildApp(deps) takes these; compose.ts builds them.
import type { PipelineRoutesDeps } from './routes/pipeline.js';
import type { z } from 'zod';
import type {
  AdoptBodySchema,
  AdoptReplySchema,
  ApiEvent,
  Health,
  SubmissionDetail,
  Submission,
  SubmitBody,
  SubmitReplySchema,
  TargetReplySchema,
} from '../api/schemas.js';
import type { ShardStatus } from '../api/shards.js';
import type { TokenStatus } from '../api/tokens.js';
import type { Logger } from '../log.js';
import type { ServerLimits } from './limits.js';
import type { NotifyDeps } from './routes/notify.js';
import type { WebDeps } from '../web/access.js';

/** The end of one attempt's log, and which attempt and files it is. */
export interface LogTail {
  text: string;
  attempt?: number;
  attempts?: number;
  jobId?: string;
  paths?: string[];
}

/** What a job id names: a submission, and the task when the id names one. */
export interface JobRef {
  submissionId: number;
  index: number | null;
}

export interface ReadModel {
  /** Resolves when the state is fresh enough to answer a client from (a rate-limited tracker cycle). */
  fresh?(): Promise<void>;
  submissions(): Submission[];
  submission(id: number): SubmissionDetail | undefined;
  events(q: { submissionId?: number | undefined; afterId?: number | undefined; limit: number }): ApiEvent[];
  /** Resolves "1234" or "1234_7" to the submission (and task) it belongs to; undefined when unknown. */
  resolveJob(jobId: string): JobRef | undefined;
}

export interface Commands {
  /** `via`: the unix socket (a client on this host) or TCP (maybe a tunnel from another host). */
  submit(body: SubmitBody, via?: 'unix' | 'tcp'): Promise<z.infer<typeof SubmitReplySchema>>;
  adopt(body: z.infer<typeof AdoptBodySchema>): Promise<z.infer<typeof AdoptReplySchema>>;
  hold(target: string): Promise<z.infer<typeof TargetReplySchema>>;
  release(target: string): Promise<z.infer<typeof TargetReplySchema>>;
  resubmit(target: string, force: boolean): Promise<z.infer<typeof TargetReplySchema>>;
  /** scancel, and the user's cancel recorded: never resumed. */
  cancel(target: string): Promise<z.infer<typeof TargetReplySchema>>;
  /** A finished submission hidden from `ls` (history kept), or listed again. */
  archive(target: string): Promise<z.infer<typeof TargetReplySchema>>;
  unarchive(target: string): Promise<z.infer<typeof TargetReplySchema>>;
}

export interface AppDeps {
  /** The bearer token every request must carry. */
  apiToken: string;
  logger: Logger;
  version: string;
  health(): Health;
  read: ReadModel;
  commands: Commands;
  /** Optional parts: absent when the feature is not configured (the route then answers 404 with a code). */
  tokens?: { status(): TokenStatus[] };
  shards?: { status(): ShardStatus[] };
  logs?: { tail(target: string, maxBytes: number, attempt?: number): Promise<LogTail> };
  metrics?: { render(): string | Promise<string> };
  /** Notifications (agent/notify): POST /notify/test answers 404 when no target is configured. */
  notify?: NotifyDeps;
  /** The web page, its one-time login and shard history (agent/web); no page when absent. */
  web?: WebDeps;
  /** Pipeline files (agent/pipeline/): POST /pipelines/* answer 404 when absent. */
  pipelines?: PipelineRoutesDeps;
  /** Connection and time limits; DEFAULT_LIMITS when absent. */
  limits?: Partial<ServerLimits>;
}
