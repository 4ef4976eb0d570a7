// /metrics: every documented series is there in the exposition format (checked line by line, and by
// promtool when installed); counters only grow; the scheduler's command times land in a histogram; the
// textfile holds the agent's series alone, replaced whole.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { silentLogger } from '../../agent/log.js';
import { AgentMetrics, CountingScheduler } from '../../agent/metrics.js';
import { MetricsTextfile } from '../../agent/metrics/textfile.js';
import type { Scheduler, SchedulerSearch } from '../../agent/slurm/types.js';
import type { TrackerStatus } from '../../agent/tracker/tracker.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { openRepos, seed } from '../helpers/http-fixtures.js';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
const refuse = () => Promise.reject(new Error('not used here'));

function setup(t: Test, inner: Partial<Scheduler & SchedulerSearch> = {}) {
  const repos = openRepos(t.testdir());
  seed(repos, { tasks: [5] });
  const clock = new FakeClock();
  const registry = new Registry();
  const scheduler = new CountingScheduler(
    {
      version: refuse,
      submit: refuse,
      accounting: refuse,
      accountingSince: refuse,
      queue: refuse,
      cancel: refuse,
      ...inner,
    },
    registry,
    clock,
  );
  const tracker: TrackerStatus = {
    lastPollAt: null,
    lastError: null,
    liveJobs: 2,
    cycles: 0,
    lastCycleAt: null,
  };
  const metrics = new AgentMetrics({
    registry,
    clock,
    version: '1.2.3',
    repos,
    scheduler,
    tokens: {
      status: () => [
        {
          collection: 'usda-cdl',
          account: null,
          container: null,
          expiry: null,
          secondsLeft: 1800,
          lastRefreshAt: null,
          lastError: null,
          lastErrorAt: null,
          nextRefreshAt: null,
          inFlight: false,
          state: 'fresh',
          jsonFile: '/x.json',
          tokenFile: '/x.token',
        },
      ],
    },
    shardWatch: { status: () => [], pendingStats: () => 0 },
    logWatch: { trackedKeys: () => ['1_0'], expectedCount: () => 3 },
    tracker: { status: () => ({ ...tracker }) },
  });
  metrics.start();
  t.teardown(() => metrics.stop());
  return { clock, scheduler, metrics, tracker };
}

/** The value of one sample line, `name{labels}` exactly as rendered; NaN when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

/** The exposition format's rules, strictly: families declared once, samples after their TYPE, names fit. */
function checkExposition(t: Test, text: string): Map<string, string> {
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const sampleRe =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|[+-]?Inf|NaN))$/i;
  t.ok(text.endsWith('\n'), 'ends with a line feed');
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue; // the format ignores empty lines
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S/.exec(line);
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (help) {
      t.notOk(helped.has(help[1]!), `${help[1]} described once`);
      helped.add(help[1]!);
    } else if (type) {
      t.notOk(types.has(type[1]!), `${type[1]} typed once`);
      types.set(type[1]!, type[2]!);
      if (type[2] === 'counter') t.match(type[1], /_total$/, `counter ${type[1]} ends in _total`);
    } else {
      const m = sampleRe.exec(line);
      if (!t.ok(m, `a sample line: ${line}`) || !m) continue;
      const family = [...types.keys()].find(
        (f) =>
          m[1] === f ||
          (/^(histogram|summary)$/.test(types.get(f)!) &&
            /^_(bucket|sum|count)$/.test(m[1]!.slice(f.length)) &&
            m[1]!.startsWith(f)),
      );
      if (!family) t.fail(`${m[1]} has a TYPE line before its samples`);
    }
  }
  return types;
}

t.test('renders every documented series in the exposition format', async (t) => {
  const { scheduler, metrics, tracker } = setup(t);
  await t.rejects(scheduler.queue());
  tracker.cycles = 4;
  const text = await metrics.render();
  t.equal(metrics.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  const types = checkExposition(t, text);
  for (const [name, type] of Object.entries({
    emb_build_info: 'gauge',
    emb_tasks: 'gauge',
    emb_resubmissions_total: 'counter',
    emb_scheduler_calls_total: 'counter',
    emb_scheduler_errors_total: 'counter',
    emb_scheduler_command_duration_seconds: 'histogram',
    emb_tracker_cycles_total: 'counter',
    emb_tracker_last_cycle_age_seconds: 'gauge',
    emb_live_jobs: 'gauge',
    emb_token_seconds_left: 'gauge',
    emb_token_refresh_failures_total: 'counter',
    emb_shards: 'gauge',
    emb_watch_logs_tracked: 'gauge',
    emb_watch_logs_awaited: 'gauge',
    emb_watch_stats_per_cycle: 'gauge',
    emb_watch_stats_pending: 'gauge',
    // prom-client's standard names, as every Node exporter has them
    process_cpu_seconds_total: 'counter',
    process_start_time_seconds: 'gauge',
    process_resident_memory_bytes: 'gauge',
    process_open_fds: 'gauge',
    nodejs_heap_size_used_bytes: 'gauge',
    nodejs_heap_size_total_bytes: 'gauge',
    nodejs_external_memory_bytes: 'gauge',
    nodejs_eventloop_lag_seconds: 'gauge',
    nodejs_version_info: 'gauge',
  }))
    t.equal(types.get(name), type, `${name} is a ${type}`);
  t.equal(sample(text, 'emb_scheduler_calls_total{command="squeue"}'), 1);
  t.equal(sample(text, 'emb_scheduler_calls_total{command="sbatch"}'), 0, 'every command has a series');
  t.equal(sample(text, 'emb_scheduler_errors_total{command="squeue",kind="unknown"}'), 1);
  t.equal(sample(text, 'emb_tracker_cycles_total'), 4);
  t.equal(sample(text, 'emb_watch_logs_awaited'), 3);
  t.equal(sample(text, 'emb_token_seconds_left{collection="usda-cdl"}'), 1800);
  t.equal(sample(text, `emb_build_info{version="1.2.3",node="${process.version}",slurm="unknown"}`), 1);
  t.match(text, /emb_tasks\{state="[a-z]+"\} \d+\n/);
});

t.test('promtool check metrics accepts it', { skip: !hasPromtool && 'no promtool' }, async (t) => {
  const { metrics } = setup(t);
  metrics.resubmission('submitted');
  const r = spawnSync('promtool', ['check', 'metrics'], { input: await metrics.render(), encoding: 'utf8' });
  t.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  t.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no lint complaints');
});

t.test('counters only grow: outcomes are counted as they happen, cycles by difference', async (t) => {
  const { metrics, tracker } = setup(t);
  metrics.resubmission('retry');
  metrics.resubmission('retry');
  metrics.resubmission('submitted');
  metrics.tokenRefreshFailed('usda-cdl');
  tracker.cycles = 7;
  let text = await metrics.render();
  t.equal(sample(text, 'emb_resubmissions_total{outcome="retry"}'), 2);
  t.equal(sample(text, 'emb_resubmissions_total{outcome="submitted"}'), 1);
  t.equal(sample(text, 'emb_resubmissions_total{outcome="rejected"}'), 0);
  t.equal(sample(text, 'emb_token_refresh_failures_total{collection="usda-cdl"}'), 1);
  // The retried intent went through later: its retries stay counted (the old count of rows by state fell).
  metrics.resubmission('submitted');
  tracker.cycles = 7;
  text = await metrics.render();
  t.equal(sample(text, 'emb_resubmissions_total{outcome="retry"}'), 2);
  t.equal(sample(text, 'emb_resubmissions_total{outcome="submitted"}'), 2);
  t.equal(sample(text, 'emb_tracker_cycles_total'), 7, 'a second scrape adds nothing');
});

t.test('scheduler command times go to a histogram; the probed Slurm release to build info', async (t) => {
  const clock = { c: null as FakeClock | null };
  const {
    scheduler,
    metrics,
    clock: fake,
  } = setup(t, {
    queue: async () => {
      await clock.c!.advance(1500);
      return [];
    },
    version: async () => ({ major: 24, minor: 11, micro: 5, text: '24.11.5' }),
  });
  clock.c = fake;
  await scheduler.queue();
  await scheduler.version();
  const text = await metrics.render();
  t.equal(sample(text, 'emb_scheduler_command_duration_seconds_bucket{le="1",command="squeue"}'), 0);
  t.equal(sample(text, 'emb_scheduler_command_duration_seconds_bucket{le="2.5",command="squeue"}'), 1);
  t.equal(sample(text, 'emb_scheduler_command_duration_seconds_sum{command="squeue"}'), 1.5);
  t.equal(sample(text, 'emb_scheduler_command_duration_seconds_count{command="squeue"}'), 1);
  t.equal(sample(text, `emb_build_info{version="1.2.3",node="${process.version}",slurm="24.11.5"}`), 1);
  t.notMatch(text, /slurm="unknown"/, 'one build_info series');
});

t.test('the age of the last tracker cycle grows until the next cycle', async (t) => {
  const { clock, metrics, tracker } = setup(t);
  await clock.advance(30_000);
  t.equal(sample(await metrics.render(), 'emb_tracker_last_cycle_age_seconds'), 30, 'since start before any');
  tracker.lastCycleAt = clock.now();
  await clock.advance(120_000);
  t.equal(sample(await metrics.render(), 'emb_tracker_last_cycle_age_seconds'), 120);
  tracker.lastCycleAt = clock.now();
  t.equal(sample(await metrics.render(), 'emb_tracker_last_cycle_age_seconds'), 0);
});

t.test('the textfile holds the agent series alone, replaced whole every interval', async (t) => {
  const { clock, metrics } = setup(t);
  const dir = t.testdir({});
  const file = path.join(dir, 'emb.prom');
  const writer = new MetricsTextfile({
    file,
    intervalMs: 60_000,
    clock,
    logger: silentLogger(),
    render: () => metrics.renderAgentOnly(),
  });
  await writer.start();
  t.teardown(() => writer.stop());
  let text = readFileSync(file, 'utf8');
  checkExposition(t, text);
  t.match(text, /^emb_tasks\{/m);
  t.notMatch(text, /^(process|nodejs)_/m, 'no process_* series: node_exporter has its own');
  metrics.resubmission('submitted');
  await clock.advance(60_000);
  await writer.writeNow();
  text = readFileSync(file, 'utf8');
  t.equal(sample(text, 'emb_resubmissions_total{outcome="submitted"}'), 1, 'rewritten at the interval');
  t.same(readdirSync(dir), ['emb.prom'], 'no temp file left');
  // A folder that cannot be written is logged and retried, never thrown.
  writeFileSync(path.join(dir, 'not-a-dir'), '');
  const broken = new MetricsTextfile({
    file: path.join(dir, 'not-a-dir', 'emb.prom'),
    intervalMs: 60_000,
    clock,
    logger: silentLogger(),
    render: () => metrics.renderAgentOnly(),
  });
  await broken.start();
  await broken.stop();
});

t.test('the shipped alert rules and Grafana dashboard use only series the agent exports', async (t) => {
  const { metrics } = setup(t);
  const families = new Set(
    [...(await metrics.render()).matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
    ),
  );
  const docs = path.resolve(import.meta.dirname, '../../docs/monitoring');
  const rules = readFileSync(path.join(docs, 'emb-agent-alerts.yml'), 'utf8');
  const dashboard = JSON.parse(readFileSync(path.join(docs, 'emb-agent-dashboard.json'), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const exprs = [
    ...[...rules.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!),
    ...dashboard.panels.flatMap((p) => p.targets.map((x) => x.expr)),
  ];
  t.ok(exprs.length > 10, `${exprs.length} expressions`);
  for (const expr of exprs) {
    for (const [name] of expr.matchAll(/\b(?:emb|process|nodejs)_[a-z0-9_]+/g)) {
      t.ok(families.has(name), `${name} (in ${expr}) is exported`);
    }
  }
  for (const alert of ['EmbSasTokenExpiringSoon', 'EmbTasksFailed', 'EmbTrackerStopped'])
    t.match(rules, `alert: ${alert}\n`, alert);
});

t.test('promtool check rules accepts the alert rules', { skip: !hasPromtool && 'no promtool' }, async (t) => {
  const file = path.resolve(import.meta.dirname, '../../docs/monitoring/emb-agent-alerts.yml');
  const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
  t.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  t.match(r.stdout, /SUCCESS: \d+ rules found/);
});
