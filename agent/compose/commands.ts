// Builds what a user's command goes through: the submit deps, the settler of submits a killed agent left
// open, the wait gate and pipelines (submissions held back until others end), and the API's commands.
import { adoptJob } from '../commands/adopt.js';
import { refuseForeignEnv } from '../commands/agent-env.js';
import { archiveTarget } from '../commands/archive.js';
import { cancelTarget } from '../commands/cancel.js';
import { submitRecipe } from '../commands/submit.js';
import { SubmitSettler } from '../commands/submit-intents.js';
import type { Commands } from '../http/deps.js';
import type { CountingScheduler } from '../metrics.js';
import { Pipelines } from '../pipeline/apply.js';
import { WaitGate } from '../pipeline/gate.js';
import type { createPreflight } from '../preflight/index.js';
import type { Tracker } from '../tracker/tracker.js';
import type { Core } from './core.js';
import type { Resume } from './resume.js';

export interface CommandParts {
  scheduler: CountingScheduler;
  preflight: ReturnType<typeof createPreflight>;
  tracker: Tracker;
  resume: Resume;
}

export function buildCommands({ config, clock, logger, repos, life, log }: Core, p: CommandParts) {
  const { tracker, preflight } = p;
  const { engine, steering } = p.resume;
  const commandDeps = {
    repos,
    life,
    scheduler: p.scheduler,
    clock,
    logger,
    jobDefaults: config.resume.jobDefaults,
    paths: { workRoot: config.workRoot, user: config.env.user, home: config.env.home },
    onSubmitted: () => tracker.poke(),
    self: {
      host: config.env.hostname,
      uid: config.env.uid,
      user: config.env.user,
      home: config.env.home,
      vars: config.env.vars ?? {},
    },
  };
  // An sbatch a killed agent started may still land a while after: the window allows for Slurm's own retries.
  const settler = new SubmitSettler({
    repos,
    life,
    scheduler: p.scheduler,
    clock,
    logger: log('submit'),
    windowMs: Math.max(30_000, 4 * config.slurm.commandTimeoutSeconds * 1000),
    onSubmitted: () => tracker.poke(),
  });
  // Submissions kept back until their prerequisites are done (submit --after, pipeline files).
  const gate = new WaitGate({
    submit: commandDeps,
    clock,
    logger: log('pipeline'),
    pollMs: config.slurm.pollSeconds * 1000,
    checkFirst: async (body) => {
      if (!config.preflight.enabled || body.preflight?.skip !== undefined) return;
      await preflight.scheduler.check({ ...body, env: body.env ?? {} }, 'deferred');
    },
  });
  const pipelines = new Pipelines({ submit: commandDeps, gate });
  const commands: Commands = {
    submit: async (body, via = 'unix') => {
      // A foreign environment is refused before anything is written or sent (agent-env.ts).
      refuseForeignEnv(commandDeps.self, body, via);
      return preflight.afterSubmit(
        body,
        body.after?.length ? await gate.submitAfter(body) : await submitRecipe(commandDeps, body),
      );
    },
    adopt: async (body) => {
      const reply = await adoptJob(commandDeps, body);
      // Tasks that had already ended when adopted never pass through the tracker: decide them now.
      await engine.onEnded(repos.attempts.undecided());
      return reply;
    },
    hold: (target) => steering.hold(target),
    release: async (target) => gate.release(target) ?? steering.release(target),
    resubmit: (target, force) => steering.resubmit(target, force),
    cancel: async (target) =>
      gate.dropTarget(target, `${config.env.user} (emb-client cancel)`) ??
      cancelTarget({ ...commandDeps, user: config.env.user }, target),
    archive: async (target) => archiveTarget(commandDeps, target, true),
    unarchive: async (target) => archiveTarget(commandDeps, target, false),
  };
  return { settler, gate, pipelines, commands };
}
