import t from 'tap';
import { oneTarget, parseArgs } from '../../../client/args.js';
import { UsageError } from '../../../client/errors.js';
import { ENV_DENY_NAMES, submissionEnv } from '../../../client/env.js';

t.test('global options before or after the command', async (t) => {
  const p = parseArgs(['--url', 'http://h:1', 'ls', '--json', '--token-file=/t']);
  t.equal(p.command, 'ls');
  t.equal(p.global.url, 'http://h:1');
  t.equal(p.global.tokenFile, '/t');
  t.equal(p.global.json, true);
});

t.test('submit: options, then sbatch arguments after --', async (t) => {
  const p = parseArgs([
    'submit',
    '--done-marker',
    'out/{index}.done',
    '--no-resume',
    '--max-attempts=4',
    '--',
    '--array=0-9%2',
    '--json',
    'x.sbatch',
  ]);
  t.equal(p.command, 'submit');
  t.equal(p.options.get('done-marker'), 'out/{index}.done');
  t.equal(p.options.get('no-resume'), true);
  t.equal(p.options.get('max-attempts'), '4');
  t.same(p.passthrough, ['--array=0-9%2', '--json', 'x.sbatch'], 'nothing after -- is ours, not even --json');
  t.equal(p.global.json, false);
});

t.test('usage errors name the problem', async (t) => {
  t.throws(() => parseArgs(['lss']), new UsageError('unknown command "lss"; see emb-client --help'));
  t.throws(() => parseArgs(['ls', '--follow']), /unknown option --follow for ls/);
  t.throws(() => parseArgs(['submit', '--array=0-3']), /sbatch options go after "--"/);
  t.throws(() => parseArgs(['--url']), /--url needs a value/);
  t.throws(() => parseArgs(['ls', '--json=yes']), /--json takes no value/);
  t.throws(() => oneTarget([], 'hold'), /hold takes one TARGET/);
  t.throws(() => oneTarget(['12x'], 'hold'), /"12x" is not a TARGET/);
  t.equal(oneTarget(['#12:7'], 'show'), '#12:7');
  t.equal(oneTarget(['1234_7'], 'show'), '1234_7');
});

t.test('submission environment: the login session is left out', async (t) => {
  const env = submissionEnv({
    PATH: '/usr/bin',
    HOME: '/h',
    SBATCH_ACCOUNT: 'nn12037k',
    PC_SDK_SUBSCRIPTION_KEY: 'k',
    SSH_AUTH_SOCK: '/tmp/ssh-x',
    SSH_CONNECTION: '1 2 3 4',
    SSH_TTY: '/dev/pts/1',
    DISPLAY: ':0',
    XDG_SESSION_ID: '3',
    XDG_RUNTIME_DIR: '/run/user/1',
    TMUX: '/tmp/tmux',
    TMUX_PANE: '%1',
    OLDPWD: '/old',
    _: '/usr/bin/emb-client',
    KRB5CCNAME: 'FILE:/tmp/krb',
    EMB_AGENT_URL: 'http://x',
  });
  t.same(env, { PATH: '/usr/bin', HOME: '/h', SBATCH_ACCOUNT: 'nn12037k', PC_SDK_SUBSCRIPTION_KEY: 'k' });
  t.ok(ENV_DENY_NAMES.includes('DBUS_SESSION_BUS_ADDRESS'));
});
