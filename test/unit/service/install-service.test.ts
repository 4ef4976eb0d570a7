// install-service writes a real unit file into a temp home; systemd-analyze (when present) checks it.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { installService, packagePaths, renderUnit } from '../../../agent/service/install-service.js';
import { probeUserManager } from '../../../agent/service/user-manager.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const repoTemplate = path.resolve(import.meta.dirname, '../../../systemd/emb-agent.service');

/** Directive names per section, comments dropped. */
function directives(text: string): string[] {
  let section = '';
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    if (l.startsWith('[')) section = l;
    else out.push(`${section}${l.slice(0, l.indexOf('='))}`);
  }
  return [...new Set(out)].sort();
}

/** Problems systemd-analyze finds in a unit file (it prints them and still exits 0 for most). */
function analyze(file: string): string {
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim() + (r.status === 0 ? '' : ` (exit ${r.status})`);
}

t.test('the unit: Type=notify, a watchdog, restart on failure, absolute paths, no secrets', async (t) => {
  const unit = renderUnit({
    nodePath: '/opt/node/bin/node',
    cliPath: '/home/u/emb-agent/dist/agent/cli.js',
    configPath: '/home/u/.config/emb-agent/config.yaml',
    workingDir: '/home/u',
  });
  for (const line of [
    'Type=notify',
    'NotifyAccess=all',
    'ExecStart=/opt/node/bin/node /home/u/emb-agent/dist/agent/cli.js run',
    'WorkingDirectory=/home/u',
    'Environment=EMB_AGENT_CONFIG=/home/u/.config/emb-agent/config.yaml',
    'Restart=on-failure',
    'RestartPreventExitStatus=2 4',
    'WatchdogSec=60',
    'TimeoutStopSec=45',
    'WantedBy=default.target',
  ]) {
    t.ok(unit.split('\n').includes(line), line);
  }
  const settings = unit
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
  t.notMatch(settings, /token|sig=|key=/i, 'no secrets');
  const bare = renderUnit({
    nodePath: '/n',
    cliPath: '/c.js',
    workingDir: '/w',
    notifyAccess: 'main',
    watchdogSec: 30,
  });
  t.notMatch(bare, /EMB_AGENT_CONFIG/, 'no config line when none was given');
  t.match(bare, /^NotifyAccess=main$/m);
  t.match(bare, /^WatchdogSec=30$/m);
});

t.test('paths with spaces, % and $ are quoted and escaped for systemd', async (t) => {
  const unit = renderUnit({
    nodePath: '/opt/my node/bin/node',
    cliPath: '/home/u/100%/$x/cli.js',
    configPath: '/home/u/my "cfg".yaml',
    workingDir: '/home/u/50%',
  });
  t.match(unit, /^ExecStart="\/opt\/my node\/bin\/node" "\/home\/u\/100%%\/\$\$x\/cli\.js" run$/m);
  t.match(unit, /^Environment="EMB_AGENT_CONFIG=\/home\/u\/my \\"cfg\\"\.yaml"$/m);
  t.match(unit, /^WorkingDirectory=\/home\/u\/50%%$/m);
});

t.test('relative or multi-line paths are refused, naming which', async (t) => {
  const ok = { nodePath: '/n', cliPath: '/c.js', workingDir: '/w' };
  t.throws(() => renderUnit({ ...ok, nodePath: 'node' }), {
    code: 'AGENT_ERR_CONFIG',
    message: /node path must be an absolute path, got "node"/,
  });
  t.throws(() => renderUnit({ ...ok, configPath: 'cfg.yaml' }), { message: /config path/ });
  t.throws(() => renderUnit({ ...ok, workingDir: '/w\nExecStartPre=/bin/evil' }), { message: /line break/ });
});

t.test(
  'systemd-analyze accepts the rendered unit and the repo template',
  { skip: !hasAnalyze && 'no systemd-analyze' },
  async (t) => {
    const dir = t.testdir({ 'odd dir 100%': { 'cli.js': '' } });
    const unitFile = path.join(dir, 'emb-agent.service');
    writeFileSync(
      unitFile,
      renderUnit({
        nodePath: process.execPath,
        cliPath: path.join(dir, 'odd dir 100%', 'cli.js'),
        configPath: path.join(dir, 'config.yaml'),
        workingDir: dir,
      }),
    );
    t.equal(analyze(unitFile), '', 'rendered unit: no complaints');
    // The template's ExecStart names files that do not exist here; point it at ones that do.
    const template = readFileSync(repoTemplate, 'utf8')
      .replace('/usr/bin/node', process.execPath)
      .replace('%h/emb-agent/dist/agent/cli.js', unitFile);
    const templateFile = path.join(dir, 'template', 'emb-agent.service');
    mkdirSync(path.dirname(templateFile));
    writeFileSync(templateFile, template);
    t.equal(analyze(templateFile), '', 'template: no complaints');
  },
);

t.test(
  'systemd-analyze security scores the sandboxed unit well below UNSAFE',
  { skip: !hasAnalyze && 'no systemd-analyze' },
  async (t) => {
    const dir = t.testdir({ pkg: { dist: { agent: { 'cli.js': '' } } } });
    const unitFile = path.join(dir, 'emb-agent.service');
    const unit = renderUnit({
      nodePath: process.execPath,
      cliPath: path.join(dir, 'pkg', 'dist', 'agent', 'cli.js'),
      workingDir: dir,
    });
    writeFileSync(unitFile, unit);
    for (const line of [
      'NoNewPrivileges=yes',
      'LockPersonality=yes',
      'RestrictRealtime=yes',
      'RestrictSUIDSGID=yes',
      'RestrictNamespaces=yes',
      'SystemCallArchitectures=native',
      'SystemCallFilter=@system-service',
      `Documentation=file://${path.join(dir, 'pkg', 'docs', 'operations.md')}`,
    ]) {
      t.ok(unit.split('\n').includes(line), line);
    }
    t.notMatch(unit, /^MemoryDenyWriteExecute=/m, "V8's JIT needs W+X memory");
    t.equal(analyze(unitFile), '', 'still verifies');
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', unitFile], { encoding: 'utf8' });
    const score = /Overall exposure level for emb-agent\.service: ([\d.]+)/.exec(r.stdout)?.[1];
    t.ok(score, `a score in: ${r.stdout.slice(-200)}${r.stderr}`);
    // 9.8 (UNSAFE) before the sandboxing; 6.6 with it on systemd 252.
    t.ok(Number(score) <= 7, `exposure ${score} <= 7.0`);
  },
);

t.test('the repo template and the rendered unit set the same directives', async (t) => {
  const rendered = renderUnit({ nodePath: '/n', cliPath: '/c.js', workingDir: '/w', configPath: '/cfg' });
  t.same(directives(readFileSync(repoTemplate, 'utf8')), directives(rendered));
});

t.test('installService writes the unit, keeps a different one as .bak, and says what to run', async (t) => {
  const home = t.testdir({ bin: { node: '' }, pkg: { dist: { agent: { 'cli.js': '' } } } });
  const base = {
    home,
    user: 'digifarm',
    nodePath: path.join(home, 'bin', 'node'),
    cliPath: path.join(home, 'pkg', 'dist', 'agent', 'cli.js'),
    detachedScript: packagePaths(path.join(home, 'pkg', 'dist', 'agent', 'cli.js')).detachedScript,
  };
  const unitPath = path.join(home, '.config', 'systemd', 'user', 'emb-agent.service');

  const first = await installService(base);
  t.equal(first.unitPath, unitPath);
  t.equal(first.action, 'created');
  t.equal(first.backupPath, null);
  t.equal(readFileSync(unitPath, 'utf8'), renderUnit({ ...base, workingDir: home }));
  t.same(first.commands.slice(0, 3), [
    'systemctl --user daemon-reload',
    'systemctl --user enable --now emb-agent',
    'loginctl enable-linger digifarm',
  ]);
  const notes = first.notes.join('\n');
  t.match(notes, /Betzy/);
  t.match(notes, `${path.join(home, 'pkg', 'scripts', 'emb-agent-detached.sh')} start`);
  t.match(notes, /@reboot EMB_AGENT_NODE=\S+ \S+emb-agent-detached\.sh ensure/);
  t.match(notes, /\*\/15 \* \* \* \* /);

  const again = await installService(base);
  t.equal(again.action, 'unchanged');
  t.equal(again.backupPath, null);

  const withConfig = await installService({ ...base, configPath: path.join(home, 'cfg.yaml') });
  t.equal(withConfig.action, 'updated');
  t.equal(withConfig.backupPath, `${unitPath}.bak`);
  t.equal(
    readFileSync(`${unitPath}.bak`, 'utf8'),
    renderUnit({ ...base, workingDir: home }),
    'the old unit kept',
  );
  t.match(withConfig.notes.join('\n'), /EMB_AGENT_CONFIG=\S+cfg\.yaml/);
  t.notMatch(withConfig.notes.join('\n'), /EMB_AGENT_STATE_DIR/);

  const third = await installService(base);
  t.equal(third.action, 'updated');
  t.equal(third.backupPath, `${unitPath}.bak.2`, 'an older backup is not overwritten');

  const withState = await installService({ ...base, stateDir: path.join(home, 'state dir') });
  t.equal(withState.action, 'unchanged', 'stateDir is not part of the unit');
  t.match(withState.notes.join('\n'), `EMB_AGENT_STATE_DIR='${path.join(home, 'state dir')}' `);
});

t.test('installService refuses a source checkout and missing binaries', async (t) => {
  const home = t.testdir({ 'cli.ts': '' });
  await t.rejects(
    installService({ home, user: 'u', nodePath: process.execPath, cliPath: path.join(home, 'cli.ts') }),
    {
      code: 'AGENT_ERR_CONFIG',
      message: /npm run build/,
    },
  );
  await t.rejects(
    installService({
      home,
      user: 'u',
      nodePath: path.join(home, 'no-node'),
      cliPath: path.join(home, 'cli.js'),
    }),
    {
      message: /node path .*no-node does not exist/,
    },
  );
});

t.test('packagePaths finds the package root from the built cli or the sources', async (t) => {
  t.same(packagePaths('/opt/emb-agent/dist/agent/cli.js'), {
    root: '/opt/emb-agent',
    detachedScript: '/opt/emb-agent/scripts/emb-agent-detached.sh',
  });
  t.equal(packagePaths('/src/emb-agent/agent/cli.ts').root, '/src/emb-agent');
});

t.test(
  'probeUserManager connects to the manager sockets: a live one answers, a stale file does not',
  async (t) => {
    // Unix socket paths are limited to 108 bytes: tap's fixture folders are too deep.
    const runtime = mkdtempSync(path.join(tmpdir(), 'emb-rt-'));
    mkdirSync(path.join(runtime, 'systemd'));
    t.teardown(() => rmSync(runtime, { recursive: true, force: true }));
    t.match(await probeUserManager(undefined), { reachable: false, why: /XDG_RUNTIME_DIR/ });
    t.match(await probeUserManager(runtime), { reachable: false, why: /no systemd user manager answers/ });
    // A socket file left behind by a manager that is gone.
    const stale = net.createServer();
    await new Promise<void>((r) => stale.listen(path.join(runtime, 'bus'), r));
    await new Promise<void>((r) => stale.close(() => r()));
    if (!existsSync(path.join(runtime, 'bus'))) writeFileSync(path.join(runtime, 'bus'), '');
    t.match(await probeUserManager(runtime), { reachable: false });
    const live = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => live.listen(path.join(runtime, 'systemd', 'private'), r));
    t.teardown(() => live.close());
    t.match(await probeUserManager(runtime), { reachable: true, why: /systemd\/private answers/ });
  },
);

t.test('without a reachable user manager, install-service leads with the detached start', async (t) => {
  const home = t.testdir({ bin: { node: '' }, pkg: { dist: { agent: { 'cli.js': '' } } } });
  const cliPath = path.join(home, 'pkg', 'dist', 'agent', 'cli.js');
  const r = await installService({
    home,
    user: 'digifarm',
    nodePath: path.join(home, 'bin', 'node'),
    cliPath,
    detachedScript: packagePaths(cliPath).detachedScript,
    userManager: { reachable: false, why: 'XDG_RUNTIME_DIR is not set' },
  });
  t.equal(r.action, 'created', 'the unit is still written, for later');
  t.equal(r.commands.length, 1);
  t.match(r.commands[0], /^EMB_AGENT_NODE=\S+ \S+emb-agent-detached\.sh start$/);
  t.notMatch(r.commands.join('\n'), /systemctl/);
  const notes = r.notes.join('\n');
  t.match(notes, /cannot work in this session: XDG_RUNTIME_DIR is not set/);
  t.match(notes, /@reboot /);
  t.match(notes, /systemctl --user enable --now emb-agent/);
});
