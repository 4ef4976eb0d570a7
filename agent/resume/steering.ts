// What a person can do to the resume machinery: hold, release, and resubmit by hand.
import type { Repos, SubmissionRow, TaskRow } from '../db/repos/index.js';
import { AgentError } from '../errors.js';
import type { ResumeEngine } from './engine.js';
import type { IntentExecutor } from './executor.js';
import type { TaskLife } from '../tasks/life.js';
import { resolveTarget } from '../tasks/targets.js';
import { held, released, resubmittedByHand } from '../tasks/user-steps.js';

export interface SteeringDeps {
  repos: Repos;
  /** Records each step (agent/tasks/). */
  life: TaskLife;
  engine: ResumeEngine;
  executor: IntentExecutor;
}

export interface SteeringReply {
  submissionId: number;
  indices: number[];
  message: string;
}

const FINAL_STATES = new Set(['failed', 'stalled', 'exhausted', 'held', 'done', 'resuming']);

export class Steering {
  private readonly d: SteeringDeps;

  constructor(deps: SteeringDeps) {
    this.d = deps;
  }

  async hold(target: string): Promise<SteeringReply> {
    const { sub, task } = resolveTarget(this.d.repos, target);
    const tasks = held(this.d.life, sub, task);
    return this.reply(
      sub,
      tasks,
      `held: the agent will not resubmit ${task ? `task ${task.index}` : `submission #${sub.id}`} until released (not a Slurm hold: a queued or running job goes on; emb-client cancel stops it)`,
    );
  }

  async release(target: string): Promise<SteeringReply> {
    const { sub, task } = resolveTarget(this.d.repos, target);
    const tasks = released(this.d.life, sub, task);
    if (tasks.length) this.d.engine.schedule(sub.id, 0);
    return this.reply(
      sub,
      tasks,
      tasks.length ? `released: resubmitting ${tasks.length} task(s)` : 'released',
    );
  }

  /**
   * A person's call: resubmits ended tasks whatever the guards said (never one with a live attempt). A done
   * task only with force: running finished work again is rarely meant.
   */
  async resubmit(target: string, force = false): Promise<SteeringReply> {
    const { sub, task } = resolveTarget(this.d.repos, target);
    if (!sub.args.length) {
      throw new AgentError(
        'AGENT_ERR_CONFLICT',
        `submission #${sub.id} has no recorded sbatch arguments to resubmit`,
      );
    }
    const named = task ? [task] : this.d.repos.tasks.bySubmission(sub.id);
    const candidates = named.filter((t) => FINAL_STATES.has(t.state) && (force || t.state !== 'done'));
    const ready = candidates.filter((t) => {
      const latest = this.d.repos.attempts.latestForTask(t.id);
      return !latest || latest.ended;
    });
    if (!ready.length) {
      const done = named.some((t) => t.state === 'done');
      throw new AgentError(
        'AGENT_ERR_CONFLICT',
        `nothing to resubmit: every named task is live or already done${done && !force ? ' (add --force to run a done task again)' : ''}`,
      );
    }
    const intent = this.d.life.atomically(() => {
      resubmittedByHand(this.d.life, sub, ready);
      return this.d.executor.create(
        sub,
        ready.map((t) => t.index),
        'manual',
      );
    });
    await this.d.executor.run(intent, false);
    return this.reply(sub, ready, `resubmitting ${ready.length} task(s)`);
  }

  private reply(sub: SubmissionRow, tasks: TaskRow[], message: string): SteeringReply {
    return { submissionId: sub.id, indices: tasks.map((t) => t.index), message };
  }
}
