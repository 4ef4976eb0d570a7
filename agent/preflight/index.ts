// Builds the preflight for the composition root: the decorator every sbatch goes through, and the step
// after a user's submit that stores its options and adds the small-quota warnings to the reply.
import type { Logger } from '../log.js';
import type { Scheduler, SchedulerSearch, SchedulerTestOnly } from '../slurm/types.js';
import { afterSubmit } from './after-submit.js';
import type { PreflightConfig } from './config.js';
import type { PreflightOptions } from './options.js';
import { profileFromConfig } from './profile.js';
import { PreflightScheduler, type PreflightEvent } from './scheduler.js';
import { resubmissionFacts, type SubmissionFactsDeps } from './submission-facts.js';

export interface PreflightParts {
  inner: Scheduler & SchedulerSearch & SchedulerTestOnly;
  config: PreflightConfig;
  repos: SubmissionFactsDeps['repos'];
  shardsSince: SubmissionFactsDeps['shardsSince'];
  logger: Logger;
  record(e: PreflightEvent): void;
}

export function createPreflight(p: PreflightParts) {
  const profile = profileFromConfig(p.config);
  const scheduler = new PreflightScheduler({
    inner: p.inner,
    profile,
    settings: p.config,
    logger: p.logger,
    resubmission: (intentId) =>
      Promise.resolve(resubmissionFacts({ repos: p.repos, shardsSince: p.shardsSince }, intentId)),
    record: (e) => p.record(e),
  });
  return {
    scheduler,
    afterSubmit: <
      R extends {
        submissionId: number | null;
        markers: { doneMarker: string | null; progress: string | null };
        warnings: string[];
      },
    >(
      body: { args: string[]; cwd: string; preflight?: PreflightOptions | undefined },
      reply: R,
    ) => afterSubmit({ profile, settings: p.config, logger: p.logger, record: p.record }, body, reply),
  };
}

export { PreflightScheduler, type PreflightEvent } from './scheduler.js';
export { PreflightOptionsSchema, type PreflightOptions } from './options.js';
