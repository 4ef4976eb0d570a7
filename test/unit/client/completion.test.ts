// The completion scripts in a real bash: `complete -p emb-client` after loading, and the function driven by
// COMP_WORDS/COMP_CWORD as bash drives it on Tab: commands, options, and job ids from a real agent app.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { buildApp } from '../../../agent/http/app.js';
import { listenApp } from '../../../agent/http/listen.js';
import { bashScript, zshScript } from '../../../client/commands/completion.js';
import { makeDeps, openRepos, seed, TOKEN } from '../../helpers/http-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** COMPREPLY for the words typed so far (the last one is being completed), and what bash wrote to stderr. */
// Asynchronous: the agent app answering the completion's requests runs in this process.
async function complete(dir: string, words: string[]): Promise<{ reply: string[]; stderr: string }> {
  const script = path.join(dir, 'emb-client.bash');
  writeFileSync(script, bashScript());
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = await promisify(execFile)(
    'bash',
    [
      '--noprofile',
      '--norc',
      '-c',
      `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _emb_client; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    {
      encoding: 'utf8',
      cwd: dir,
      env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, HOME: dir },
    },
  );
  return { reply: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
}

t.test('bash: loaded, then commands, options and ids on Tab', async (t) => {
  const dir = t.testdir({ bin: {}, 'job.sbatch': '#!/bin/sh\n' });
  // emb-client on PATH as a user has it: this tree's client.
  const bin = path.join(dir, 'bin', 'emb-client');
  writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" --import tsx "${root}/client/cli.ts" "$@"\n`);
  chmodSync(bin, 0o755);
  writeFileSync(path.join(dir, 'emb-client.bash'), bashScript());
  const loaded = spawnSync(
    'bash',
    ['--noprofile', '--norc', '-c', `source '${path.join(dir, 'emb-client.bash')}'; complete -p emb-client`],
    { encoding: 'utf8' },
  );
  t.equal(loaded.stdout.trim(), 'complete -F _emb_client emb-client');

  t.ok((await complete(dir, ['emb-client', 'sh'])).reply.includes('show'));
  t.notOk(
    (await complete(dir, ['emb-client', ''])).reply.includes('__complete'),
    'the helper is not offered',
  );
  t.same((await complete(dir, ['emb-client', 'resubmit', '--f'])).reply, ['--force']);
  t.ok((await complete(dir, ['emb-client', 'submit', '--done'])).reply.includes('--done-marker'));
  t.ok(
    (await complete(dir, ['emb-client', '--js'])).reply.includes('--json'),
    'global options before the command',
  );
  t.same((await complete(dir, ['emb-client', 'completion', ''])).reply, ['bash', 'zsh']);
  t.same((await complete(dir, ['emb-client', 'help', 'lo'])).reply, ['logs']);
  t.same(
    (await complete(dir, ['emb-client', 'submit', '--', 'job.s'])).reply,
    ['job.sbatch'],
    'after --: files',
  );
  t.same(
    (await complete(dir, ['emb-client', 'events', '--limit', ''])).reply,
    [],
    'an option value: nothing to guess',
  );

  // Context names from the client config in $HOME.
  mkdirSync(path.join(dir, '.config', 'emb-agent'), { recursive: true });
  writeFileSync(
    path.join(dir, '.config', 'emb-agent', 'client.yaml'),
    'contexts:\n  betzy:\n    url: http://127.0.0.1:1\n  saga:\n    url: http://127.0.0.1:2\n',
  );
  t.same((await complete(dir, ['emb-client', '--context', ''])).reply, ['betzy', 'saga']);
  t.same((await complete(dir, ['emb-client', '--context', 's'])).reply, ['saga']);

  // Ids from the agent when it answers; the connection flags typed so far are passed along.
  const repos = openRepos(dir);
  seed(repos);
  const tokenFile = path.join(dir, 'api-token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const app = buildApp(makeDeps(repos));
  t.teardown(() => app.close());
  const where = await listenApp(
    app,
    { kind: 'tcp', host: '127.0.0.1', port: 0 },
    { allowNonLoopback: false },
  );
  const conn = ['--url', `http://${where}`, '--token-file', tokenFile];
  const targets = await complete(dir, ['emb-client', ...conn, 'show', '']);
  t.ok(targets.reply.includes('#1'), 'submissions');
  t.ok(targets.reply.includes('1000'), 'array job ids');
  t.ok(targets.reply.includes('1500_8'), "tasks' latest job ids");
  t.same((await complete(dir, ['emb-client', ...conn, 'logs', '1500_'])).reply.sort(), ['1500_8', '1500_9']);
  const jobs = (await complete(dir, ['emb-client', ...conn, 'adopt', ''])).reply;
  t.ok(jobs.length > 0 && jobs.every((j) => /^\d+(_\d+)?$/.test(j)), 'adopt: job ids only');

  const down = await complete(dir, [
    'emb-client',
    '--url',
    'http://127.0.0.1:1',
    '--token-file',
    tokenFile,
    'show',
    '',
  ]);
  t.same(down, { reply: [], stderr: '' }, 'no agent: silently nothing');
  const noToken = await complete(dir, [
    'emb-client',
    '--url',
    `http://${where}`,
    '--token-file',
    '/nope',
    'show',
    '',
  ]);
  t.same(noToken, { reply: [], stderr: '' }, 'no token: silently nothing');
});

t.test('zsh: the same function through bashcompinit', async (t) => {
  const z = zshScript();
  t.match(z, /bashcompinit/);
  t.match(z, /complete -F _emb_client emb-client/);
});

t.test('zsh: sourced in a real zsh, the function registered and driven as in bash', async (t) => {
  const zsh = ['/usr/bin/zsh', '/bin/zsh'].find((z) => spawnSync(z, ['-fc', 'true']).status === 0);
  if (!zsh) {
    t.comment('skipped: no zsh here (apt-get install zsh to run it)');
    return;
  }
  const dir = t.testdir({ 'c.zsh': zshScript() });
  const r = spawnSync(
    zsh,
    [
      '-fc',
      `source ./c.zsh; print -r -- "\${_comps[emb-client]}"
       drive() { local -a COMPREPLY; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _emb_client; print -r -- "$COMPREPLY"; }
       drive emb-client completion ''; drive emb-client resubmit --f`,
    ],
    { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } },
  );
  t.equal(r.stderr, '');
  const [registered, shells, options] = r.stdout.split('\n');
  t.equal(registered, '_bash_complete -F _emb_client');
  // zsh's own completion filters by what is typed; bashcompinit's compgen may return the whole list.
  t.match(shells, /^bash zsh$/);
  t.match(options, /--force/);
});
