// A recorded checkpoint regex RE2 refuses falls back to the default, and the refusal reaches the log as the
// error itself (type, stack), not as its message alone.
import t from 'tap';
import type { Repos } from '../../../agent/db/repos/index.js';
import { LogBridge } from '../../../agent/logs/bridge.js';
import { DEFAULT_CHECKPOINT_REGEX } from '../../../agent/logs/line-meaning.js';
import type { LogWatch } from '../../../agent/logs/log-watch.js';
import type { TaskLife } from '../../../agent/tasks/life.js';
import { capturedLogger } from '../../helpers/captured-log.js';

t.test('a refused checkpoint regex is logged as the error and the default is used', async (t) => {
  const log = capturedLogger();
  // checkpointRegexFor reads only the submission: the rest of the bridge is not reached.
  const repos = { submissions: { get: () => ({ checkpointRegex: '(a)\\1' }) } } as unknown as Repos;
  const bridge = new LogBridge({
    repos,
    life: {} as TaskLife,
    logWatch: {} as LogWatch,
    logger: log.logger,
    checkpointRegex: undefined,
    hurry: () => {},
  });
  t.equal(bridge.checkpointRegexFor(7), DEFAULT_CHECKPOINT_REGEX);
  const line = JSON.parse(log.text().trim().split('\n')[0] ?? '{}') as {
    submissionId?: number;
    err?: { type?: string; message?: string; stack?: string };
  };
  t.equal(line.submissionId, 7);
  t.match(line.err, { type: /Error$/, message: /submission 7 checkpointRegex/ }, 'the error object');
  t.match(line.err?.stack, /\n\s+at /, 'with its stack');
});
