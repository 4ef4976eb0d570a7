// Connects the log watcher to the rest of the agent: which logs to follow (those of live attempts, as the
// scheduler names them), and what their lines mean (a checkpoint or an end hurries the tracker; a
// failure shows as the task's diagnosis while it still runs).
import type { AttemptRow, Repos } from '../db/repos/index.js';
import type { Logger } from '../log.js';
import { isBannerCause } from '../diagnose/end-state.js';
import { AgentError, loggable } from '../errors.js';
import { compileLinearRegex } from '../text/linear-regex.js';
import type { LogTail } from '../http/deps.js';
import type { LogWatch } from './log-watch.js';
import type { LogEvent } from './log-watch-types.js';
import { DEFAULT_CHECKPOINT_REGEX } from './line-meaning.js';
import { tailFiles } from './tail-text.js';
import type { TaskLife } from '../tasks/life.js';
import { diagnosed, logMarkSeen } from '../tasks/scheduler-facts.js';
import { resolveTarget } from '../tasks/targets.js';

export interface LogBridgeDeps {
  repos: Repos;
  /** Records what the logs said (agent/tasks/). */
  life: TaskLife;
  logWatch: LogWatch;
  logger: Logger;
  /** Site-wide checkpoint regex (resume.checkpointRegex); a recipe's own wins. */
  checkpointRegex: string | undefined;
  /** A task is about to end or has ended: look at the scheduler now. */
  hurry(): void;
}

export class LogBridge {
  private readonly d: LogBridgeDeps;

  constructor(deps: LogBridgeDeps) {
    this.d = deps;
  }

  checkpointRegexFor(submissionId: number): RegExp {
    const sub = this.d.repos.submissions.get(submissionId);
    const text = sub?.checkpointRegex ?? this.d.checkpointRegex;
    if (!text) return DEFAULT_CHECKPOINT_REGEX;
    try {
      // A user pattern runs on RE2 (linear time); config and submit refuse what RE2 cannot compile.
      return compileLinearRegex(text, 'i', `submission ${submissionId} checkpointRegex`);
    } catch (err) {
      // Only a recipe recorded by an older build can get here: the default is better than no marker.
      this.d.logger.warn({ submissionId, err: loggable(err) }, 'checkpoint regex refused; using the default');
      return DEFAULT_CHECKPOINT_REGEX;
    }
  }

  /**
   * Follows the logs of these attempts, each under its job id: at once for a task that runs, and from the
   * moment Slurm creates them for one that is still pending (thousands may be pending and have no log).
   */
  track(attempts: AttemptRow[]): void {
    const { repos, logWatch } = this.d;
    for (const a of attempts) {
      const paths = [...new Set([a.stdoutPath, a.stderrPath].filter((p): p is string => p !== null))];
      if (!paths.length) continue;
      const task = repos.tasks.get(a.taskId);
      if (!task) continue;
      const opts = {
        checkpointRegex: this.checkpointRegexFor(task.submissionId),
        ...this.startAfterPrevious(a, paths),
      };
      if (a.slurmState === 'PENDING') logWatch.expect(a.jobId, paths, opts);
      else logWatch.track(a.jobId, paths, opts);
    }
  }

  /** A log shared by attempts (--open-mode=append) is read from where the previous attempt stopped. */
  private startAfterPrevious(a: AttemptRow, paths: string[]): { startAt?: number } {
    const previous = this.d.repos.attempts
      .byTask(a.taskId)
      .filter((x) => x.id < a.id)
      .pop();
    if (!previous || previous.stdoutPath !== paths[0]) return {};
    const offset = this.d.logWatch.status(previous.jobId)?.offsets[paths[0] as string];
    return offset === undefined ? {} : { startAt: offset };
  }

  /** What the watcher saw in a log. */
  onLogEvent(e: LogEvent): void {
    const { repos, life } = this.d;
    const attempt = repos.attempts.byJobId(e.key);
    if (!attempt) return;
    const task = repos.tasks.get(attempt.taskId);
    if (!task) return;
    if (e.kind === 'checkpoint' || e.kind === 'end') {
      logMarkSeen(life, attempt, task, e.kind, e.line);
      this.d.hurry();
    } else if (e.kind === 'diagnosis' && e.diagnosis && !isBannerCause(e.diagnosis.cause)) {
      // A banner cause (cancelled, time limit, ...) waits for sacct's state, which may contradict it: the
      // banner is also written when the pre-wall-time signal reaches a script that then checkpoints.
      diagnosed(life, attempt, task, e.diagnosis);
    }
  }

  /**
   * The tail of one attempt's log: the attempt `number` (1 = first), else the one whose own job id the target
   * is, else the latest. Only paths the scheduler gave for a tracked attempt are ever read: the API never
   * serves an arbitrary file.
   */
  async tail(target: string, maxBytes: number, number?: number): Promise<LogTail> {
    const { repos, logWatch } = this.d;
    const { sub, task } = resolveTarget(repos, target);
    const t = task ?? repos.tasks.bySubmission(sub.id)[0];
    const all = t ? repos.attempts.byTask(t.id) : [];
    const own = all.findIndex((a) => a.jobId === target);
    const at = number !== undefined ? number - 1 : own >= 0 ? own : all.length - 1;
    const attempt = all[at];
    if (!attempt) {
      throw new AgentError(
        'AGENT_ERR_NOT_FOUND',
        number !== undefined
          ? `"${target}" has ${all.length} attempt(s), not ${number}`
          : `no attempt of "${target}" has run yet`,
      );
    }
    const paths = [
      ...new Set([attempt.stdoutPath, attempt.stderrPath].filter((p): p is string => p !== null)),
    ];
    const about = { attempt: at + 1, attempts: all.length, jobId: attempt.jobId, paths };
    if (logWatch.status(attempt.jobId))
      return { ...about, text: await logWatch.tail(attempt.jobId, maxBytes) };
    if (!paths.length) {
      throw new AgentError('AGENT_ERR_NOT_TRACKED', `the scheduler has not named a log for ${attempt.jobId}`);
    }
    return { ...about, text: await tailFiles(paths, maxBytes) };
  }
}
