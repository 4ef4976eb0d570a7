// A Notifier on a fake clock with in-memory lookups, and recorded events as agent/tasks hands them over.
import { NotifySchema } from '../../../agent/config/schema.js';
import type { RecordedEvent } from '../../../agent/notify/from-events.js';
import { Notifier } from '../../../agent/notify/notifier.js';
import type { NotifyEvent } from '../../../agent/notify/types.js';
import { silentLogger, type Logger } from '../../../agent/log.js';
import { FakeClock } from '../../helpers/fake-clock.js';

export const API_TOKEN = 'api-token-0123456789abcdef0123456789abcdef';

export interface TaskInfo {
  index: number;
  diagnosisCause: string | null;
  diagnosisHint: string | null;
  state: string;
  submissionId: number;
}

export function makeNotifier(
  config: unknown,
  opts: { clock?: FakeClock; logger?: Logger; searchPath?: string } = {},
) {
  const clock = opts.clock ?? new FakeClock();
  const tasks = new Map<number, TaskInfo>();
  const notifier = new Notifier({
    config: NotifySchema.parse(config),
    clock,
    logger: opts.logger ?? silentLogger(),
    origin: { host: 'login-1', user: 'alice' },
    searchPath: opts.searchPath ?? '/nonexistent',
    secrets: () => [API_TOKEN],
    random: () => 0,
    lookups: {
      task: (id) => tasks.get(id),
      submission: (id) => {
        const states = [...tasks.values()].filter((t) => t.submissionId === id).map((t) => t.state);
        return states.length ? { name: 'build_shards', states } : undefined;
      },
    },
  });
  return { clock, tasks, notifier };
}

let nextTask = 1;

/** A decision event as the resume engine records it. */
export function decision(
  submissionId: number,
  taskId: number,
  verdict: string,
  at: number,
  message = `1234_${taskId}: ${verdict}: ended OUT_OF_MEMORY`,
): RecordedEvent {
  return {
    at,
    level: verdict === 'failed' ? 'error' : verdict === 'done' ? 'info' : 'warn',
    kind: 'decision',
    submissionId,
    taskId,
    jobId: `1234_${taskId}`,
    message,
    data: { decision: verdict, diagnosis: verdict === 'failed' ? 'oom-kill' : null },
  };
}

export function freshTaskId(): number {
  return nextTask++;
}

/** A failed task as the notifier is offered it (no lookups, no all-done check timer). */
export function failedEvent(submissionId: number, taskId: number, at: number): NotifyEvent {
  return {
    kind: 'failed',
    level: 'error',
    submissionId,
    taskId,
    jobId: `1234_${taskId}`,
    message: `1234_${taskId}: failed: ended OUT_OF_MEMORY`,
    at,
  };
}
