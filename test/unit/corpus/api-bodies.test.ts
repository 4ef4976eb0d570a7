// A corpus of bad API requests through buildApp(...).inject(): malformed JSON, wrong content types, bodies
// over the limit, wrong shapes, unknown keys, out-of-range numbers, prototype pollution attempts. Each gets
// 400 (413, 415) JSON with a code and a message, never a 500, and the command behind the route never runs.
// The second half sends submit bodies to the real submit command over a fake sbatch.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../../agent/clock.js';
import { TaskLife } from '../../../agent/tasks/life.js';
import { submitRecipe } from '../../../agent/commands/submit.js';
import { buildApp } from '../../../agent/http/app.js';
import { silentLogger } from '../../../agent/log.js';
import { SlurmAdapter } from '../../../agent/slurm/adapter.js';
import { makeDeps, openRepos, seed, stubCommands, TOKEN } from '../../helpers/http-fixtures.js';
import { FakeSlurm } from '../../helpers/fake-slurm.js';

const JSON_TYPE = { 'content-type': 'application/json' };

interface Req {
  method: 'GET' | 'POST';
  url: string;
  payload?: string | Buffer;
  headers?: Record<string, string>;
  /** Allowed statuses; default 400. */
  status?: number[];
  /** The message must match. */
  says?: RegExp;
}

const post = (url: string, payload: string | Buffer, more: Partial<Req> = {}): Req => ({
  method: 'POST',
  url,
  payload,
  headers: JSON_TYPE,
  ...more,
});
const submit = (body: Record<string, unknown>, more: Partial<Req> = {}) =>
  post('/submissions', JSON.stringify({ args: ['x.sbatch'], cwd: '/w', env: {}, ...body }), more);

const deep = `{"args":${'['.repeat(50_000)}${']'.repeat(50_000)},"cwd":"/w","env":{}}`;

const CORPUS: Req[] = [
  post('/submissions', '{bad json', { says: /not valid JSON/ }),
  post('/submissions', '{"args": ["x"], "cwd": "/w", "env": {}', { says: /not valid JSON/ }),
  post('/submissions', '', { says: /empty/ }),
  post('/submissions', Buffer.from([0xff, 0xfe, 0x00, 0x7b]), { says: /not valid JSON/ }),
  post('/submissions', '\u0000'),
  post('/submissions', deep, { says: /body\.args\.0/ }),
  post('/submissions', 'args=x', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: [415],
    says: /send JSON/,
  }),
  post('/submissions', '<xml/>', { headers: { 'content-type': 'application/xml' }, status: [415] }),
  post('/submissions', 'hello', { headers: { 'content-type': 'text/plain' } }),
  post('/submissions', '{"args":["x"],"cwd":"/w","env":{}}', { headers: {}, status: [415] }),
  post('/submissions', JSON.stringify({ args: ['x'.repeat(2 * 1024 * 1024)], cwd: '/w', env: {} }), {
    status: [413],
    says: /too large/,
  }),
  post('/submissions', '[]', { says: /body: .*expected object, received array/ }),
  post('/submissions', 'null', { says: /body: .*received null/ }),
  post('/submissions', '"str"'),
  post('/submissions', '42'),
  post('/submissions', '{}', { says: /body\.args: required/ }),
  post('/submissions', '{"args":null,"cwd":null,"env":null}', {
    says: /body\.args: .*body\.cwd: .*body\.env: /,
  }),
  submit({ args: [] }, { says: /body\.args: give at least the batch script/ }),
  submit({ args: 'x.sbatch' }, { says: /body\.args: .*expected array/ }),
  submit({ args: [1, 2] }, { says: /body\.args\.0: / }),
  submit({ cwd: 'relative' }, { says: /body\.cwd: must be an absolute path/ }),
  submit({ env: [] }, { says: /body\.env: / }),
  submit({ env: { A: 1 } }, { says: /body\.env\.A: / }),
  submit({ bogus: 1 }, { says: /body\.bogus: unknown field/ }),
  submit({ maxAttempts: -1 }, { says: /body\.maxAttempts: / }),
  submit({ maxAttempts: 0 }, { says: /body\.maxAttempts: / }),
  submit({ maxAttempts: 2.5 }, { says: /body\.maxAttempts: / }),
  post('/submissions', '{"args":["x"],"cwd":"/w","env":{},"maxAttempts":1e400}', { says: /maxAttempts/ }),
  submit({ maxAttempts: '3' }, { says: /body\.maxAttempts: / }),
  submit({ resume: 'no' }, { says: /body\.resume: / }),
  submit({ checkpointRegex: '(' }, { says: /body\.checkpointRegex: not a valid regular expression/ }),
  submit({ doneMarker: '' }, { says: /body\.doneMarker: / }),
  submit({ args: ['x\u0000y.sbatch'] }, { says: /body\.args\.0: must not contain a NUL byte/ }),
  submit({ cwd: '/w\u0000' }, { says: /body\.cwd: must not contain a NUL byte/ }),
  submit({ env: { A: 'b\u0000c' } }, { says: /body\.env\.A: must not contain a NUL byte/ }),
  // Prototype pollution: refused before any handler sees it.
  post('/submissions', '{"args":["x"],"cwd":"/w","env":{},"__proto__":{"polluted":true}}'),
  post('/submissions', '{"args":["x"],"cwd":"/w","env":{"__proto__":{"polluted":true}}}'),
  post('/submissions', '{"args":["x"],"cwd":"/w","env":{},"constructor":{"prototype":{"polluted":true}}}'),
  post('/hold', '{"target":"1","__proto__":{"polluted":true}}'),
  post('/adopt', '{"jobId":"12","constructor":{"prototype":{"polluted":true}}}'),
  post('/hold', '{"target":"#-1"}', { says: /body\.target: expected a job id/ }),
  post('/hold', '{"target":["1"]}', { says: /body\.target: .*expected string/ }),
  post('/hold', '{"target":1234}', { says: /body\.target: .*expected string/ }),
  post('/release', '{}', { says: /body\.target: required/ }),
  post('/resubmit', '{"target":"1","extra":true}', { says: /body\.extra: unknown field/ }),
  post('/resubmit', '{"target":"1_"}', { says: /body\.target/ }),
  post('/adopt', '{"jobId":-5}', { says: /body\.jobId: .*expected string/ }),
  post('/adopt', '{"jobId":"-5"}', { says: /body\.jobId: a Slurm job id is a number/ }),
  post('/adopt', '{"jobId":"12_3"}', { says: /body\.jobId/ }),
  post('/adopt', '{"jobId":"12","env":"PATH=/bin"}', { says: /body\.env: / }),
  { method: 'GET', url: '/events?limit=-1', says: /query\.limit: / },
  { method: 'GET', url: '/events?limit=abc&after=-3', says: /query\.after: .*query\.limit: / },
  { method: 'GET', url: '/events?limit=1&limit=2', says: /query\.limit/ },
  { method: 'GET', url: '/events?limit=1001', says: /query\.limit/ },
  { method: 'GET', url: '/events?submission=0', says: /query\.submission/ },
  // Unknown query parameters are ignored (the query schema is not strict): only pollution matters here.
  { method: 'GET', url: '/events?__proto__[polluted]=1&constructor[prototype][polluted]=1', status: [200] },
  { method: 'GET', url: '/submissions/-1', says: /params\.id: / },
  { method: 'GET', url: '/submissions/1.5', says: /params\.id: / },
  { method: 'GET', url: '/submissions/99999999999999999999999', says: /params\.id: / },
  { method: 'GET', url: '/submissions/abc', says: /params\.id: / },
  { method: 'GET', url: '/jobs/%00', says: /params\.jobId: / },
  { method: 'GET', url: '/jobs/12x', says: /params\.jobId: / },
  { method: 'GET', url: '/logs?target=1&bytes=99999999999', says: /query\.bytes: / },
  { method: 'GET', url: '/logs?target=1&bytes=-1', says: /query\.bytes: / },
  { method: 'GET', url: '/logs?target=%0a', says: /query\.target: / },
  { method: 'GET', url: '/logs', says: /query\.target: required/ },
  { method: 'POST', url: '/no-such-route', status: [404] },
  { method: 'GET', url: `/submissions/${'9'.repeat(5000)}`, status: [414], says: /url: .*too long/ },
  { method: 'GET', url: '/jobs/%zz', says: /url: not a valid URL/ },
  { method: 'GET', url: '/submissions/%E0%A4%A', says: /url: not a valid URL/ },
];

function polluted(): boolean {
  return (
    ({} as Record<string, unknown>).polluted !== undefined ||
    (Object.prototype as Record<string, unknown>).polluted !== undefined
  );
}

t.test('bad requests: 4xx JSON with a code and a message, never 500, the command never called', async (t) => {
  const repos = openRepos(t.testdir());
  seed(repos);
  const commands = stubCommands();
  const app = buildApp(makeDeps(repos, { commands, logs: { tail: async () => ({ text: 'log' }) } }));
  t.teardown(() => app.close());
  for (const req of CORPUS) {
    const name = `${req.method} ${req.url.slice(0, 60)} ${String(req.payload ?? '').slice(0, 70)}`;
    const res = await app.inject({
      method: req.method,
      url: req.url,
      payload: req.payload,
      headers: { authorization: `Bearer ${TOKEN}`, ...req.headers },
    });
    t.ok((req.status ?? [400]).includes(res.statusCode), `${name}: status ${res.statusCode}`);
    t.notOk(polluted(), `${name}: Object.prototype untouched`);
    if (res.statusCode < 400) continue;
    t.match(res.headers['content-type'], /application\/json/, `${name}: JSON`);
    const body = res.json() as { code?: unknown; message?: unknown };
    t.match(body.code, /^AGENT_ERR_[A-Z_]+$/, `${name}: a code`);
    t.ok(typeof body.message === 'string' && body.message.length > 0, `${name}: a message`);
    t.ok(String(body.message).length < 5000, `${name}: a readable message`);
    if (req.says) t.match(body.message, req.says, `${name}: says ${req.says}`);
  }
  t.same(commands.calls, [], 'no bad request reached a command');
});

t.test('an environment variable named like a prototype property is just a key', async (t) => {
  const repos = openRepos(t.testdir());
  const commands = stubCommands();
  const app = buildApp(makeDeps(repos, { commands }));
  t.teardown(() => app.close());
  const env = { constructor: 'x', toString: 'y', hasOwnProperty: 'z' };
  const res = await app.inject({
    method: 'POST',
    url: '/submissions',
    payload: JSON.stringify({ args: ['x.sbatch'], cwd: '/w', env }),
    headers: { authorization: `Bearer ${TOKEN}`, ...JSON_TYPE },
  });
  t.equal(res.statusCode, 201);
  t.same((commands.calls[0]?.arg as { env: unknown }).env, env);
  t.notOk(polluted());
});

t.test('submit bodies that reach the real command: clear refusals, and a FIFO never blocks', async (t) => {
  const dir = t.testdir();
  const fake = new FakeSlurm(dir);
  fake.set('sbatch', { stdout: '555\n' });
  const repos = openRepos(dir);
  const scheduler = new SlurmAdapter({ timeoutMs: 5000, binDir: dir, logger: silentLogger() });
  const cmd = {
    life: new TaskLife({ repos, clock: systemClock, logger: silentLogger() }),
    scheduler,
    clock: systemClock,
    logger: silentLogger(),
    jobDefaults: {},
    paths: { workRoot: dir, user: 'alice', home: dir },
    onSubmitted() {},
  };
  const base = makeDeps(repos);
  const app = buildApp({ ...base, commands: { ...base.commands, submit: (b) => submitRecipe(cmd, b) } });
  t.teardown(() => app.close());
  const work = path.join(dir, 'work');
  mkdirSync(work);
  execFileSync('mkfifo', [path.join(work, 'fifo.sbatch')]);
  const send = (body: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/submissions',
      payload: JSON.stringify({ cwd: work, env: {}, ...body }),
      headers: { authorization: `Bearer ${TOKEN}`, ...JSON_TYPE },
    });
  const refusals: [Record<string, unknown>, number, RegExp][] = [
    [{ args: ['--array=0-99999999', 'x.sbatch'] }, 400, /--array=0-99999999: too many indices/],
    [{ args: ['--array=a-b', 'x.sbatch'] }, 400, /--array=a-b: "a-b" is not an index/],
    [{ args: ['--array=5-1', 'x.sbatch'] }, 400, /--array=5-1: .*empty range/],
    [{ args: ['--array=0-9%x', 'x.sbatch'] }, 400, /throttle/],
    [{ args: ['--array'] }, 400, /no batch script/],
    [{ args: ['--'] }, 400, /no batch script/],
    [
      { args: ['x.sbatch'], cwd: '/nonexistent/dir' },
      422,
      /working directory \/nonexistent\/dir is not usable/,
    ],
    [{ args: ['x.sbatch'], cwd: path.join(work, 'fifo.sbatch') }, 422, /is not a directory/],
  ];
  for (const [body, status, says] of refusals) {
    const res = await send(body);
    t.equal(res.statusCode, status, JSON.stringify(body));
    t.match(res.json(), { code: String, message: says }, JSON.stringify(body));
  }
  t.equal(fake.calls().length, 0, 'sbatch never ran for a refused body');
  // Process substitution (`sbatch <(...)`) and FIFOs: sbatch is the one to read them, not the agent's loop.
  for (const script of ['fifo.sbatch', '/dev/zero', work]) {
    const res = await send({ args: [script] });
    t.equal(res.statusCode, 201, `${script}: handed to sbatch`);
    const sub = repos.submissions.get((res.json() as { submissionId: number }).submissionId);
    t.match(sub?.recipeNotes.join('\n'), /could not read the batch script .*not a regular file/, script);
  }
});
