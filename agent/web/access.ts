// Everything the web page's routes and the auth hook share: one-time codes, sessions, the guard, the files.
// Built by buildApp from AppDeps.web; no I/O here (the files are read on first request).
import type { Clock } from '../clock.js';
import { defaultPageDir, PageAssets } from './assets.js';
import { OneTimeCodes } from './codes.js';
import { WebGuard } from './guard.js';
import { Sessions } from './sessions.js';
import type { ShardSampleSource } from './shard-history.js';

export interface WebDeps {
  clock: Clock;
  /** Stored shard samples (ShardStore); GET /shards/history answers 404 without them. */
  shardSamples?: ShardSampleSource;
  /** Where the built page is; default dist/web beside the agent. */
  pageDir?: string;
  /** Login codes' lifetime; default 60 s. */
  codeTtlMs?: number;
}

export class WebAccess {
  readonly clock: Clock;
  readonly codes: OneTimeCodes;
  readonly sessions: Sessions;
  readonly guard: WebGuard;
  readonly assets: PageAssets;
  readonly shardSamples: ShardSampleSource | undefined;

  constructor(d: WebDeps) {
    this.clock = d.clock;
    this.codes = new OneTimeCodes({ clock: d.clock, ...(d.codeTtlMs ? { ttlMs: d.codeTtlMs } : {}) });
    this.sessions = new Sessions({ clock: d.clock });
    this.guard = new WebGuard(this.sessions);
    this.assets = new PageAssets(d.pageDir ?? defaultPageDir());
    this.shardSamples = d.shardSamples;
  }
}

/** The page's shared state for an app, or undefined when the agent serves no page (AppDeps.web absent). */
export function webAccess(deps: { web?: WebDeps | undefined }): WebAccess | undefined {
  return deps.web ? new WebAccess(deps.web) : undefined;
}
