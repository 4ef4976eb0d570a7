// A corpus of bad config files through the built CLI (`emb-agent check --config FILE`): each one exits 2
// with a message on stderr that names the key path or the problem, and never a stack trace. An empty
// file (or one holding only comments, `~` or `---`) means "all defaults", like a missing default file.
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AGENT_CLI } from '../../helpers/agent-process.js';

const run = promisify(execFile);

interface Case {
  name: string;
  text: string | Buffer | null;
  /** Every pattern must appear on stderr. */
  says: RegExp[];
}

const aliasBomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 8 }, (_, i) => {
    const [prev, cur] = [String.fromCharCode(97 + i), String.fromCharCode(98 + i)];
    return `${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
].join('\n');

const CASES: Case[] = [
  { name: 'unknown-top', text: 'bogus: 1\n', says: [/bogus: unknown key/] },
  { name: 'unknown-2', text: 'slurm:\n  pollSecs: 5\n', says: [/slurm\.pollSecs: unknown key/] },
  {
    name: 'unknown-4',
    text: 'resume:\n  jobDefaults:\n    build:\n      doneMarkr: x\n',
    says: [/resume\.jobDefaults\.build\.doneMarkr: unknown key/],
  },
  {
    name: 'unknown-in-list',
    text: 'watch:\n  shardDirs:\n    - a\n    - path: b\n      targt: 5\n',
    says: [/watch\.shardDirs\.1\.targt: unknown key/],
  },
  {
    name: 'unknown-rule-key',
    text: 'diagnose:\n  rules:\n    - cause: x\n      patern: a\n      hint: h\n',
    says: [/diagnose\.rules\.0\.patern: unknown key/, /diagnose\.rules\.0\.pattern:/],
  },
  { name: 'proto', text: '__proto__:\n  polluted: true\n', says: [/__proto__: unknown key/] },
  { name: 'constructor', text: 'constructor: 1\n', says: [/constructor: unknown key/] },
  {
    name: 'string-for-number',
    text: 'slurm: {pollSeconds: "5"}\n',
    says: [/slurm\.pollSeconds: .*expected number, received string/],
  },
  {
    name: 'string-for-bool',
    text: 'api: {allowNonLoopback: "yes"}\n',
    says: [/api\.allowNonLoopback: .*expected boolean/],
  },
  {
    name: 'string-for-list',
    text: 'tokens:\n  collections: usda-cdl\n',
    says: [/tokens\.collections: .*expected array/],
  },
  { name: 'number-for-section', text: 'slurm: 5\n', says: [/slurm: .*expected object/] },
  { name: 'negative', text: 'slurm:\n  pollSeconds: -1\n', says: [/slurm\.pollSeconds: /] },
  {
    name: 'zero-timeout',
    text: 'slurm:\n  commandTimeoutSeconds: 0\n',
    says: [/slurm\.commandTimeoutSeconds: /],
  },
  {
    name: 'nan-inf',
    text: 'slurm:\n  pollSeconds: .nan\n  commandTimeoutSeconds: .inf\n',
    says: [/slurm\.pollSeconds: .*NaN/, /slurm\.commandTimeoutSeconds: .*Infinity/],
  },
  { name: 'fraction-int', text: 'resume:\n  maxAttempts: 2.5\n', says: [/resume\.maxAttempts: /] },
  { name: 'log-level', text: 'log:\n  level: loud\n', says: [/log\.level: .*"info"/] },
  {
    name: 'listen-port',
    text: 'api:\n  listen: "127.0.0.1:99999"\n',
    says: [/api\.listen: port 99999 is out of range/],
  },
  {
    name: 'listen-host',
    text: 'api:\n  listen: "example.com:80"\n',
    says: [/api\.listen: expected "HOST:PORT"/],
  },
  { name: 'listen-unix', text: 'api:\n  listen: "unix:relative/sock"\n', says: [/api\.listen: /] },
  { name: 'listen-empty', text: 'api:\n  listen: ""\n', says: [/api\.listen: /] },
  {
    name: 'checkpoint-regex',
    text: 'resume:\n  checkpointRegex: "(unclosed"\n',
    says: [/resume\.checkpointRegex: not a valid regular expression/],
  },
  {
    name: 'rule-regex',
    text: 'diagnose:\n  rules:\n    - cause: x\n      pattern: "["\n      hint: h\n',
    says: [/diagnose\.rules\.0\.pattern: not a valid regular expression/],
  },
  {
    name: 'rule-cause',
    text: 'diagnose:\n  rules:\n    - cause: Bad Cause\n      pattern: x\n      hint: ""\n',
    says: [/diagnose\.rules\.0\.cause: /, /diagnose\.rules\.0\.hint: /],
  },
  {
    name: 'rule-flags',
    text: 'diagnose:\n  rules:\n    - {cause: x, pattern: y, hint: h, flags: g}\n',
    says: [/diagnose\.rules\.0\.flags/],
  },
  { name: 'api-base', text: 'tokens:\n  apiBase: not a url\n', says: [/tokens\.apiBase: /] },
  {
    name: 'collection',
    text: 'tokens:\n  collections: ["bad collection!"]\n',
    says: [/tokens\.collections\.0: /],
  },
  { name: 'binary-tag', text: 'stateDir: !!binary aGVsbG8=\n', says: [/stateDir: .*expected string/] },
  { name: 'top-list', text: '- a\n- b\n', says: [/\(top level\): .*expected object, received array/] },
  { name: 'top-scalar', text: '42\n', says: [/\(top level\): .*expected object, received number/] },
  {
    name: 'binary-bytes',
    text: Buffer.from([0xff, 0xfe, 0x00, 0x67, 0x61, 0x72, 0x62, 0x00, 0x0a, 0x80, 0x81]),
    says: [/\(top level\)|not valid YAML/],
  },
  { name: 'indent', text: 'slurm:\n  pollSeconds: 5\n   bad: indent\n', says: [/not valid YAML/, /line 2/] },
  { name: 'tabs', text: 'slurm:\n\tpollSeconds: 5\n', says: [/not valid YAML/, /Tabs are not allowed/] },
  { name: 'unclosed', text: 'slurm: {pollSeconds: 5\n', says: [/not valid YAML/] },
  { name: 'duplicate-key', text: 'workRoot: /a\nworkRoot: /b\n', says: [/Map keys must be unique/] },
  { name: 'alias-bomb', text: aliasBomb, says: [/not valid YAML/, /Excessive alias count/] },
  {
    name: 'deep-flow',
    text: `workRoot: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
    says: [/not valid YAML|workRoot: /],
  },
  {
    name: 'deep-block',
    text: Array.from({ length: 3000 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + '\n',
    says: [/not valid YAML|k0: unknown key/],
  },
  { name: 'crlf', text: 'slurm:\r\n  pollSeconds: 5\r\n  bogus: 1\r\n', says: [/slurm\.bogus: unknown key/] },
  { name: 'a-directory', text: null, says: [/cannot read config .*a-directory\.yaml/, /EISDIR/] },
];

const DEFAULTS = ['', '# only a comment\n', '~\n', '---\n', '\ufeff\n'];

async function check(file: string, home: string) {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, USER: 'corpus' };
  try {
    const r = await run(process.execPath, [AGENT_CLI, 'check', '--config', file], { env, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

t.test('bad configs: exit 2, the key path or the problem on stderr, no stack trace', async (t) => {
  if (!existsSync(AGENT_CLI)) return t.fail(`build first (npm run build): ${AGENT_CLI} is missing`);
  const dir = t.testdir();
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const results = await Promise.all(
    CASES.map(async (c) => {
      const file = path.join(dir, `${c.name}.yaml`);
      if (c.text === null) mkdirSync(file);
      else writeFileSync(file, c.text);
      return { c, file, r: await check(file, home) };
    }),
  );
  for (const { c, file, r } of results) {
    t.equal(r.code, 2, `${c.name}: exit 2`);
    t.equal(r.stdout, '', `${c.name}: nothing on stdout`);
    t.match(r.stderr, /^emb-agent: /, `${c.name}: one message from emb-agent`);
    t.ok(r.stderr.includes(file), `${c.name}: names the file`);
    for (const re of c.says) t.match(r.stderr, re, `${c.name}: says ${re}`);
    t.notMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, `${c.name}: no stack trace`);
    t.ok(r.stderr.length < 20_000, `${c.name}: a readable message (${r.stderr.length} bytes)`);
  }
  const missing = await check(path.join(dir, 'no-such.yaml'), home);
  t.equal(missing.code, 2, 'an explicit file that does not exist is an error');
  t.match(missing.stderr, /cannot read config .*no-such\.yaml[\s\S]*ENOENT/);
});

t.test('an empty config means all defaults, like a missing default file', async (t) => {
  if (!existsSync(AGENT_CLI)) return t.fail(`build first (npm run build): ${AGENT_CLI} is missing`);
  const dir = t.testdir();
  const home = path.join(dir, 'home');
  mkdirSync(home);
  for (const [i, text] of DEFAULTS.entries()) {
    const file = path.join(dir, `empty-${i}.yaml`);
    writeFileSync(file, text);
    const r = await check(file, home);
    t.notMatch(
      r.stderr,
      /invalid config|not valid YAML|cannot read config/,
      `${JSON.stringify(text)}: accepted`,
    );
    t.match(r.stdout, new RegExp(`^ok {3}config: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
    t.match(r.stdout, /stateDir: .*corpus|stateDir: .*home/, `${JSON.stringify(text)}: default paths`);
  }
});
