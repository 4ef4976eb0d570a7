// Builds the scheduler every service talks to: Slurm behind the site's preflight rules, counted for the
// metrics and fenced by the lease. Also the uid-to-name lookup, which runs its own command (getent).
import type { Registry } from 'prom-client';
import { CountingScheduler } from '../metrics.js';
import { createPreflight, type PreflightParts } from '../preflight/index.js';
import { noted } from '../tasks/agent-events.js';
import { SlurmAdapter } from '../slurm/adapter.js';
import { GetentUserNames } from '../slurm/user-names.js';
import type { Core } from './core.js';

export interface SchedulerParts {
  registry: Registry;
  /** Lease.fence: throws once this agent may no longer act; runs before every scheduler command. */
  fence?: (() => void) | undefined;
  /** Shards written since a time (the shard watch, built later): preflight sizes a resubmission with it. */
  shardsSince: PreflightParts['shardsSince'];
}

export function buildScheduler({ config, clock, repos, life, log }: Core, p: SchedulerParts) {
  const timeoutMs = config.slurm.commandTimeoutSeconds * 1000;
  // Every sbatch passes the site's partition rules first (agent/preflight/): submits, resubmissions, pipelines.
  const preflight = createPreflight({
    inner: new SlurmAdapter({
      timeoutMs,
      binDir: config.slurm.binDir,
      user: config.env.user,
      logger: log('slurm'),
    }),
    config: config.preflight,
    repos,
    shardsSince: p.shardsSince,
    logger: log('preflight'),
    record: (e) => noted(life, e),
  });
  return {
    preflight,
    scheduler: new CountingScheduler(preflight.scheduler, p.registry, clock, p.fence),
    userNames: new GetentUserNames({ timeoutMs, logger: log('users') }),
  };
}
