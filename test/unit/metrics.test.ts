// /metrics text: every metric the docs list is there, with HELP and TYPE before its samples, and every
// sample line is "name{labels} number" as Prometheus parses it.
import t from 'tap';
import { silentLogger } from '../../agent/log.js';
import { AgentMetrics, CountingScheduler } from '../../agent/metrics.js';
import type { Scheduler, SchedulerSearch } from '../../agent/slurm/types.js';
import { Tracker } from '../../agent/tracker/tracker.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { openRepos, seed } from '../helpers/http-fixtures.js';

const refuse = () => Promise.reject(new Error('not used here'));
const noScheduler: Scheduler & SchedulerSearch = {
  version: refuse,
  submit: refuse,
  accounting: refuse,
  accountingSince: refuse,
  queue: refuse,
  cancel: refuse,
};

t.test('renders every documented metric in the exposition format', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos, { tasks: [5] });
  const scheduler = new CountingScheduler(noScheduler);
  await t.rejects(scheduler.queue());
  const tracker = new Tracker({
    repos,
    scheduler,
    clock: new FakeClock(),
    logger: silentLogger(),
    pollMs: 60_000,
    hooks: { onEnded: async () => undefined, onLogsKnown: () => undefined },
  });
  const text = new AgentMetrics({
    repos,
    scheduler,
    tokens: { status: () => [] },
    shardWatch: { status: () => [], pendingStats: () => 0 },
    logWatch: { trackedKeys: () => ['1_0'], expectedCount: () => 3 },
    tracker,
  }).render();
  const described = new Set<string>();
  for (const line of text.trimEnd().split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-z_]+) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') t.match(meta[3], /^(gauge|counter)$/, line);
      described.add(meta[2] as string);
      continue;
    }
    const sample = /^([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? (-?\d+(\.\d+)?(e[+-]?\d+)?)$/.exec(
      line,
    );
    t.ok(sample, `a sample line: ${line}`);
    if (sample) t.ok(described.has(sample[1] as string), `${sample[1]} has HELP and TYPE first`);
  }
  for (const name of [
    'emb_tasks',
    'emb_resubmissions_total',
    'emb_scheduler_calls_total',
    'emb_scheduler_errors_total',
    'emb_tracker_cycles_total',
    'emb_live_jobs',
    'emb_token_seconds_left',
    'emb_shards',
    'emb_watch_logs_tracked',
    'emb_watch_logs_awaited',
    'emb_watch_stats_per_cycle',
    'emb_watch_stats_pending',
    'process_resident_memory_bytes',
    'process_cpu_seconds_total',
    'nodejs_heap_used_bytes',
    'nodejs_heap_total_bytes',
    'nodejs_external_memory_bytes',
  ])
    t.ok(described.has(name), name);
  t.match(text, /emb_scheduler_calls_total\{command="squeue"\} 1\n/);
  t.match(text, /emb_scheduler_errors_total\{command="squeue",kind="unknown"\} 1\n/);
  t.match(text, /emb_watch_logs_awaited 3\n/);
  t.match(text, /emb_tasks\{state="[a-z]+"\} \d+\n/);
});
