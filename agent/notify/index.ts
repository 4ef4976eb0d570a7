// Notifications as the composition root builds them: the notifier, fed by every recorded event
// (agent/tasks' listener), the shard folders' progress and an unclean previous stop.
import type { ShardStatus } from '../api/shards.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { Repos } from '../db/repos/index.js';
import type { Logger } from '../log.js';
import type { RecordedEvent, UncleanStop } from './from-events.js';
import { Notifier } from './notifier.js';
import { ShardTargets } from './shard-targets.js';

export type { UncleanStop } from './from-events.js';
export { Notifier } from './notifier.js';

export interface NotificationsOptions {
  config: Config;
  clock: Clock;
  logger: Logger;
  repos: Pick<Repos, 'tasks' | 'submissions'>;
  /** agent/tasks' life.onRecorded: every stored event, after its commit; returns the way to stop listening. */
  onRecorded: (listener: (e: RecordedEvent) => void) => () => void;
  shards: { status(): ShardStatus[] };
  /** Stored shard samples: what the previous run last counted in a folder (a target reached while down). */
  shardSamples?: { before(dir: string, at: number): { count: number } | null };
  /** Who held the lease before us and stopped without releasing it; null after a clean stop. */
  uncleanStop: UncleanStop | null;
}

export class Notifications {
  readonly notifier: Notifier;
  private readonly shardTargets: ShardTargets | null;
  private readonly secrets: string[] = [];
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly o: NotificationsOptions) {
    const { config, clock, logger, repos } = o;
    const startedAt = clock.now();
    this.notifier = new Notifier({
      config: config.notify,
      clock,
      logger,
      origin: { host: config.env.hostname, user: config.env.user },
      searchPath: config.env.path,
      secrets: () => this.secrets,
      lookups: {
        task: (id) => repos.tasks.get(id),
        submission: (id) => {
          const sub = repos.submissions.get(id);
          return sub && { name: sub.name, states: repos.tasks.bySubmission(id).map((t) => t.state) };
        },
        shardCountBefore: (dir) => o.shardSamples?.before(dir, startedAt)?.count ?? null,
      },
    });
    const targets = config.watch.shardDirs.some((d) => d.target !== undefined);
    this.shardTargets =
      this.notifier.enabled && targets
        ? new ShardTargets({
            clock,
            logger,
            intervalMs: config.watch.pollSeconds * 1000,
            status: () => o.shards.status(),
            onProgress: (s) => this.notifier.source.shards(s),
          })
        : null;
  }

  /** A value no message may carry (the API token, read at start). */
  keepSecret(value: string): void {
    this.secrets.push(value);
  }

  async start(): Promise<void> {
    if (!this.notifier.enabled) return;
    await this.notifier.start();
    this.unsubscribe = this.o.onRecorded((e) => this.notifier.source.recorded(e));
    this.shardTargets?.start();
    if (this.o.uncleanStop) this.notifier.source.crashed(this.o.uncleanStop);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.shardTargets?.stop();
    await this.notifier.stop();
  }
}
