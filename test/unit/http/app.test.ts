import { Writable } from 'node:stream';
import t from 'tap';
import { SubmissionDetailSchema, SubmissionListSchema } from '../../../agent/api/schemas.js';
import { AgentError } from '../../../agent/errors.js';
import { buildApp } from '../../../agent/http/app.js';
import type { AppDeps } from '../../../agent/http/deps.js';
import { createLogger } from '../../../agent/log.js';
import { makeDeps, openRepos, seed, stubCommands, TOKEN } from '../../helpers/http-fixtures.js';

const auth = { authorization: `Bearer ${TOKEN}` };

/** The parts of a tap test the helper uses. */
interface TestLike {
  testdir(): string;
  teardown(fn: () => unknown): void;
}

async function appWith(t: TestLike, over: Partial<AppDeps> = {}, logLines?: string[]) {
  const repos = openRepos(t.testdir());
  seed(repos);
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines?.push(String(chunk));
      cb();
    },
  });
  const deps = makeDeps(repos, over, createLogger('debug', sink));
  const app = buildApp(deps);
  t.teardown(() => app.close());
  return { app, deps };
}

t.test('GET /submissions: the ls shape', async (t) => {
  const { app } = await appWith(t);
  const res = await app.inject({ method: 'GET', url: '/submissions', headers: auth });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/json/);
  const subs = SubmissionListSchema.parse(res.json());
  t.equal(subs.length, 2);
  for (const s of subs) {
    for (const task of s.tasks) {
      t.type(task.index, 'number');
      t.type(task.attempts, 'number');
      t.ok(
        ['queued', 'running', 'done', 'resuming', 'failed', 'stalled', 'exhausted', 'held'].includes(
          task.state,
        ),
      );
      t.ok(task.jobId === null || /^\d+(_\d+)?$/.test(task.jobId));
      t.ok(
        task.diagnosis === null ||
          (typeof task.diagnosis.cause === 'string' && typeof task.diagnosis.hint === 'string'),
      );
    }
  }
  t.match(subs[0]!.tasks[10]!.diagnosis, { cause: 'disk-quota', hint: String });
  t.notMatch(
    res.body,
    /SECRETSIG|KEY-SECRET|LOGSIG|PC_SDK_SUBSCRIPTION_KEY/,
    'no secret, no environment in the body',
  );
});

t.test('GET /submissions/:id and /jobs/:jobId', async (t) => {
  const { app } = await appWith(t);
  const res = await app.inject({ method: 'GET', url: '/submissions/1', headers: auth });
  t.equal(res.statusCode, 200);
  const d = SubmissionDetailSchema.parse(res.json());
  t.equal(d.tasks[8]!.history.length, 2);
  const missing = await app.inject({ method: 'GET', url: '/submissions/77', headers: auth });
  t.equal(missing.statusCode, 404);
  t.same(missing.json(), { code: 'AGENT_ERR_NOT_FOUND', message: 'no submission #77' });
  const ref = await app.inject({ method: 'GET', url: '/jobs/1500_9', headers: auth });
  t.same(ref.json(), { submissionId: 1, index: 9 });
  const untracked = await app.inject({ method: 'GET', url: '/jobs/31337', headers: auth });
  t.equal(untracked.statusCode, 404);
  t.equal(untracked.json().code, 'AGENT_ERR_NOT_TRACKED');
  const bad = await app.inject({ method: 'GET', url: '/jobs/12x', headers: auth });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().message, /^params\.jobId: /);
});

t.test('GET /events: query validated and applied', async (t) => {
  const { app } = await appWith(t);
  const all = (await app.inject({ method: 'GET', url: '/events', headers: auth })).json() as { id: number }[];
  t.ok(all.length >= 2);
  const after = await app.inject({
    method: 'GET',
    url: `/events?after=${all[0]!.id}&submission=1&limit=5`,
    headers: auth,
  });
  t.equal(after.statusCode, 200);
  t.ok((after.json() as { id: number }[]).every((e) => e.id > all[0]!.id));
  const bad = await app.inject({ method: 'GET', url: '/events?limit=5000', headers: auth });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { code: 'AGENT_ERR_BAD_REQUEST', message: /^query\.limit: / });
});

t.test("POST /submissions: 201 with the command's reply; bad bodies name the field", async (t) => {
  const commands = stubCommands();
  const { app } = await appWith(t, { commands });
  const body = {
    args: ['--array=0-9', 'job.sbatch'],
    cwd: '/cluster/work/x',
    env: { A: '1' },
    maxAttempts: 3,
    resume: false,
  };
  const ok = await app.inject({ method: 'POST', url: '/submissions', headers: auth, payload: body });
  t.equal(ok.statusCode, 201);
  t.match(ok.json(), { submissionId: 42, jobId: '4242', warnings: [] });
  t.same(commands.calls[0], { method: 'submit', arg: body });

  const cases: [unknown, RegExp][] = [
    [{ ...body, args: [] }, /body\.args: give at least the batch script/],
    [{ ...body, cwd: 'relative/dir' }, /body\.cwd: must be an absolute path/],
    [{ ...body, colour: 'red' }, /body\.colour: unknown field/],
    [{ args: ['x.sbatch'], env: {} }, /body\.cwd: required/],
    [{ ...body, checkpointRegex: '(' }, /body\.checkpointRegex: not a valid regular expression/],
    [{ ...body, maxAttempts: 0 }, /body\.maxAttempts: /],
  ];
  for (const [payload, message] of cases) {
    const res = await app.inject({
      method: 'POST',
      url: '/submissions',
      headers: auth,
      payload: payload as object,
    });
    t.equal(res.statusCode, 400);
    t.match(res.json(), { code: 'AGENT_ERR_BAD_REQUEST', message });
  }
  t.equal(commands.calls.length, 1, 'the command never ran for a bad body');

  const notJson = await app.inject({
    method: 'POST',
    url: '/submissions',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"args":',
  });
  t.equal(notJson.statusCode, 400);
  t.equal(notJson.json().code, 'AGENT_ERR_BAD_REQUEST');
  const text = await app.inject({
    method: 'POST',
    url: '/submissions',
    headers: { ...auth, 'content-type': 'text/plain' },
    payload: 'hi',
  });
  t.equal(text.statusCode, 400);
  t.match(text.json(), { code: 'AGENT_ERR_BAD_REQUEST', message: /^body: / });
  const form = await app.inject({
    method: 'POST',
    url: '/submissions',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'a=1',
  });
  t.equal(form.statusCode, 415);
  t.match(form.json(), { code: 'AGENT_ERR_BAD_REQUEST', message: /application\/json/ });
});

t.test('POST /adopt, /hold, /release, /resubmit', async (t) => {
  const commands = stubCommands();
  const { app } = await appWith(t, { commands });
  const adopt = await app.inject({
    method: 'POST',
    url: '/adopt',
    headers: auth,
    payload: { jobId: '5555' },
  });
  t.equal(adopt.statusCode, 201);
  t.match(adopt.json(), { submissionId: 43, jobId: '5555', tasks: 10 });
  const badAdopt = await app.inject({
    method: 'POST',
    url: '/adopt',
    headers: auth,
    payload: { jobId: '5555_1' },
  });
  t.match(badAdopt.json(), {
    code: 'AGENT_ERR_BAD_REQUEST',
    message: /^body\.jobId: a Slurm job id is a number/,
  });
  for (const url of ['/hold', '/release', '/resubmit']) {
    for (const target of ['1234', '1234_7', '#12', '#12:7']) {
      const res = await app.inject({ method: 'POST', url, headers: auth, payload: { target } });
      t.equal(res.statusCode, 200, `${url} ${target}`);
      t.same(res.json(), { submissionId: 1, indices: [7], message: `${url.slice(1)} ${target}` });
    }
    for (const target of ['12#', 'abc', '', '1234_']) {
      const res = await app.inject({ method: 'POST', url, headers: auth, payload: { target } });
      t.equal(res.statusCode, 400);
      t.match(res.json().message, /^body\.target: expected a job id/);
    }
  }
});

t.test('errors: AgentError status and code, unknown errors as a generic 500', async (t) => {
  const lines: string[] = [];
  const commands = stubCommands();
  commands.hold = async () => {
    throw new AgentError(
      'AGENT_ERR_SCHEDULER_REJECTED',
      'sbatch: error: invalid partition: https://x/?sig=LEAK',
      {
        details: { stderr: 'sig=LEAK2' },
      },
    );
  };
  commands.release = async () => {
    throw new Error('database disk image is malformed at /secret/path');
  };
  const { app } = await appWith(t, { commands }, lines);
  const rejected = await app.inject({
    method: 'POST',
    url: '/hold',
    headers: auth,
    payload: { target: '#1' },
  });
  t.equal(rejected.statusCode, 422);
  t.match(rejected.json(), {
    code: 'AGENT_ERR_SCHEDULER_REJECTED',
    message: /invalid partition/,
    details: { stderr: String },
  });
  t.notMatch(rejected.body, /LEAK/, 'signatures scrubbed from messages and details');
  const boom = await app.inject({
    method: 'POST',
    url: '/release',
    headers: auth,
    payload: { target: '#1' },
  });
  t.equal(boom.statusCode, 500);
  t.match(boom.json(), { code: 'AGENT_ERR_INTERNAL', message: /internal error \(request [\w-]+\)/ });
  t.notMatch(boom.body, /malformed|secret/, 'the cause stays in the log');
  t.ok(
    lines.some((l) => l.includes('database disk image is malformed')),
    'the cause is logged',
  );
  await app.inject({
    method: 'GET',
    url: '/submissions',
    headers: { authorization: 'Bearer guessed-secret-xyz' },
  });
  await app.inject({ method: 'GET', url: '/submissions', headers: auth });
  t.ok(
    lines.some((l) => l.includes('"status":401')),
    'a refused request is logged',
  );
  t.notOk(
    lines.some((l) => l.includes(TOKEN) || l.includes('guessed-secret-xyz')),
    'no token, right or wrong, reaches a log line',
  );
});

t.test('optional parts: 404 with a code when absent, served when present', async (t) => {
  const { app: bare } = await appWith(t);
  for (const url of ['/tokens', '/shards', '/logs?target=1000_3', '/metrics']) {
    const res = await bare.inject({ method: 'GET', url, headers: auth });
    t.equal(res.statusCode, 404, url);
    t.match(res.json(), { code: 'AGENT_ERR_NOT_FOUND', message: /not enabled/ });
  }
  const token = {
    collection: 'usda-cdl',
    account: null,
    container: null,
    expiry: '2025-03-01T11:00:00.000Z',
    secondsLeft: 1800,
    lastRefreshAt: null,
    lastError: null,
    lastErrorAt: null,
    nextRefreshAt: null,
    inFlight: false,
    state: 'fresh' as const,
    jsonFile: '/w/tmp/sas/usda-cdl.json',
    tokenFile: '/w/tmp/sas/usda-cdl.token',
  };
  const shard = {
    dir: '/w/outputs/shards/aef',
    group: '/w/outputs/shards/*',
    missing: false,
    error: null,
    count: 12,
    bytes: 12 * 2 ** 30,
    bytesPending: 0,
    target: 100,
    ratePerHour: 4,
    etaSeconds: 79_200,
    perTask: [{ index: 0, count: 12, bytes: 12 * 2 ** 30 }],
    oldestAgeDays: 2,
    purge: null,
    lastScanAt: '2025-03-01T10:00:00.000Z',
    lastChangeAt: '2025-03-01T09:58:00.000Z',
  };
  const { app } = await appWith(t, {
    tokens: { status: () => [{ ...token, token: 'st=1&sig=SHOULDNOTSHOW' } as typeof token] },
    shards: { status: () => [shard] },
    logs: {
      tail: async (target, max) => ({
        text: `tail of ${target} (${max})\nGET https://a.blob/c/x.tif?st=2&sig=ABCDEF failed\n`,
      }),
    },
    metrics: { render: () => '# TYPE emb_tasks gauge\nemb_tasks{state="done"} 8\n' },
  });
  const tokens = await app.inject({ method: 'GET', url: '/tokens', headers: auth });
  t.same(tokens.json(), [token], 'a stray token field is stripped by the response schema');
  const shards = await app.inject({ method: 'GET', url: '/shards', headers: auth });
  t.same(shards.json(), [shard]);
  const logs = await app.inject({ method: 'GET', url: '/logs?target=1000_3&bytes=100', headers: auth });
  t.equal(logs.json().target, '1000_3');
  t.match(logs.json().text, /tail of 1000_3 \(100\)/);
  t.notMatch(logs.body, /ABCDEF/, 'a signature in a log is scrubbed');
  const badLogs = await app.inject({ method: 'GET', url: '/logs?target=x', headers: auth });
  t.match(badLogs.json().message, /^query\.target: /);
  const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: auth });
  t.match(metrics.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.match(metrics.body, /^# TYPE emb_tasks gauge/);
});

t.test('GET /health and /openapi.json', async (t) => {
  const { app } = await appWith(t);
  const health = await app.inject({ method: 'GET', url: '/health', headers: auth });
  t.match(health.json(), {
    ok: true,
    host: 'login-3',
    scheduler: { version: '23.02.7', support: /^supported \(21\.08 to 25\.11/ },
  });
  const res = await app.inject({ method: 'GET', url: '/openapi.json', headers: auth });
  t.equal(res.statusCode, 200);
  const doc = res.json() as {
    openapi: string;
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
    security: unknown[];
  };
  t.match(doc.openapi, /^3\.1/);
  for (const p of [
    '/health',
    '/submissions',
    '/submissions/{id}',
    '/jobs/{jobId}',
    '/events',
    '/adopt',
    '/hold',
    '/release',
    '/resubmit',
    '/tokens',
    '/shards',
    '/logs',
    '/metrics',
  ]) {
    t.ok(doc.paths[p], `documents ${p}`);
  }
  t.ok(doc.paths['/submissions']!.post!.requestBody, 'the submit body is documented');
  t.same(doc.security, [{ bearer: [] }]);
  t.notOk(doc.paths['/openapi.json'], 'the document does not list itself');
});
