// `emb-agent install-service`: writes the systemd user unit for the current user, with absolute paths
// (a user manager has no module environment, so `node` from `module load` is not on its PATH), and says
// what to run next. It runs no systemctl itself: on a shared login node the user should see each step.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AgentError } from '../errors.js';
import { NO_RESTART_EXIT_CODES } from './exit-codes.js';
import type { UserManagerProbe } from './user-manager.js';

const UNIT_NAME = 'emb-agent.service';

export interface UnitOptions {
  /** Absolute path of the node binary (process.execPath). */
  nodePath: string;
  /** Absolute path of the built dist/agent/cli.js. */
  cliPath: string;
  /** Absolute path of the config file; omitted = the default location. */
  configPath?: string | null;
  /** Absolute working directory (the home directory will do; the agent resolves every path itself). */
  workingDir: string;
  /**
   * `all` (default) lets both sd_notify transports work: the in-process one sends from the main pid, the
   * systemd-notify fallback from a child. `main` is stricter but turns a missing or ABI-broken unix-dgram
   * addon (after a node upgrade) into a start-up time-out and a restart loop.
   */
  notifyAccess?: 'main' | 'all';
  /** WatchdogSec=; the agent pings every half of it. */
  watchdogSec?: number;
}

const SAFE_WORD = /^[A-Za-z0-9_@+=:,./-]+$/;

function checkPath(what: string, p: string): void {
  if (!path.isAbsolute(p))
    throw new AgentError('AGENT_ERR_CONFIG', `install-service: ${what} must be an absolute path, got "${p}"`);
  if (/[\n\r]/.test(p))
    throw new AgentError('AGENT_ERR_CONFIG', `install-service: ${what} contains a line break`);
}

/** systemd expands %-specifiers in most settings and $VARS in Exec lines: double them to keep them literal. */
function literal(text: string, exec: boolean): string {
  const t = text.replace(/%/g, '%%');
  return exec ? t.replace(/\$/g, '$$$$') : t;
}

/** One argument of an Exec line or an Environment= assignment, quoted the way systemd.syntax(7) reads it. */
function quote(text: string, exec: boolean): string {
  const t = literal(text, exec);
  return SAFE_WORD.test(text) ? t : `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Sandboxing a user manager can apply without privileges (seccomp and prctl, with NoNewPrivileges).
 * Not MemoryDenyWriteExecute: V8's JIT needs writable and executable pages. Not ProtectSystem/ProtectHome
 * and the like: they need mount namespaces a user manager may not create, and the agent must read and
 * write the user's work folders and run the site's Slurm commands anyway.
 */
const HARDENING = [
  '# Sandboxing that works in a user unit (seccomp, no privileges needed). Not MemoryDenyWriteExecute:',
  "# V8's JIT needs writable and executable memory.",
  'NoNewPrivileges=yes',
  'LockPersonality=yes',
  'RestrictRealtime=yes',
  'RestrictSUIDSGID=yes',
  'RestrictNamespaces=yes',
  '# Unix sockets (munge, sssd, the API), IP (slurmctld, the SAS API), netlink (getaddrinfo).',
  'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
  'SystemCallArchitectures=native',
  'SystemCallFilter=@system-service',
  'SystemCallErrorNumber=EPERM',
];

/** file: URL of docs/operations.md in the package that holds the cli. */
function docsUrl(cliPath: string): string {
  return pathToFileURL(path.join(packagePaths(cliPath).root, 'docs', 'operations.md')).href;
}

/** The text of the user unit. Deterministic, so reinstalling the same thing changes nothing. */
export function renderUnit(o: UnitOptions): string {
  checkPath('the node path', o.nodePath);
  checkPath('the cli path', o.cliPath);
  checkPath('the working directory', o.workingDir);
  if (o.configPath) checkPath('the config path', o.configPath);
  const watchdog = o.watchdogSec ?? 60;
  const lines = [
    '# Written by `emb-agent install-service`; run it again rather than editing this file.',
    '# Docs: docs/operations.md in the emb-agent package.',
    '[Unit]',
    'Description=emb-agent: tracks, resumes and diagnoses Slurm array jobs',
    `Documentation=${literal(docsUrl(o.cliPath), false)}`,
    '',
    '[Service]',
    'Type=notify',
    `NotifyAccess=${o.notifyAccess ?? 'all'}`,
    `ExecStart=${[o.nodePath, o.cliPath, 'run'].map((a) => quote(a, true)).join(' ')}`,
    `WorkingDirectory=${literal(o.workingDir, false)}`,
    ...(o.configPath ? [`Environment=${quote(`EMB_AGENT_CONFIG=${o.configPath}`, false)}`] : []),
    'Environment=NODE_ENV=production',
    '# Exit 3 (lease held by an agent on another login node) is retried: this unit then stands by and takes',
    '# over once that agent stops heartbeating. Config errors and a newer database are not retried.',
    'Restart=on-failure',
    'RestartSec=30',
    `RestartPreventExitStatus=${NO_RESTART_EXIT_CODES.join(' ')}`,
    'TimeoutStartSec=120',
    `WatchdogSec=${watchdog}`,
    '# SIGTERM to the agent only, so it can let a running sbatch finish; leftovers are killed at the time-out.',
    'KillMode=mixed',
    'TimeoutStopSec=45',
    '# Login nodes are shared: keep out of the way of interactive users.',
    'Nice=10',
    '# The state (database, lease, API token, logs) is for the user alone, whatever umask the manager has.',
    'UMask=0077',
    ...HARDENING,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return lines.join('\n');
}

export interface InstallServiceOptions extends Omit<UnitOptions, 'workingDir'> {
  home: string;
  user: string;
  /** $XDG_CONFIG_HOME when set; default <home>/.config. */
  configHome?: string;
  /** Default: home. */
  workingDir?: string;
  /** Absolute path of scripts/emb-agent-detached.sh, for the fallback instructions. */
  detachedScript?: string;
  /** The config's stateDir, so the detached script finds the lease and keeps its pid/log files there. */
  stateDir?: string;
  /** Whether `systemctl --user` can reach a user manager (probeUserManager); default: assume it can. */
  userManager?: UserManagerProbe;
}

export interface InstallServiceResult {
  unitPath: string;
  action: 'created' | 'updated' | 'unchanged';
  /** Where a different unit that was in the way was kept. */
  backupPath: string | null;
  /** Commands for the user to run, in order. */
  commands: string[];
  /** Paragraphs (possibly several lines each) to print after the commands: lingering, the fallback. */
  notes: string[];
}

/** POSIX shell quoting for the commands we print. */
function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

async function freeBackupName(base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${base}.bak` : `${base}.bak.${n}`;
    if (!(await exists(candidate))) return candidate;
  }
}

/** Writes ~/.config/systemd/user/emb-agent.service and returns what to tell the user. */
export async function installService(o: InstallServiceOptions): Promise<InstallServiceResult> {
  if (!o.cliPath.endsWith('.js')) {
    throw new AgentError(
      'AGENT_ERR_CONFIG',
      `install-service: ${o.cliPath} is not the built cli.js; run \`npm run build\` and use dist/agent/cli.js`,
    );
  }
  for (const [what, p] of [
    ['node', o.nodePath],
    ['cli', o.cliPath],
  ] as const) {
    if (!(await exists(p)))
      throw new AgentError('AGENT_ERR_CONFIG', `install-service: the ${what} path ${p} does not exist`);
  }
  const text = renderUnit({ ...o, workingDir: o.workingDir ?? o.home });
  const dir = path.join(o.configHome ?? path.join(o.home, '.config'), 'systemd', 'user');
  const unitPath = path.join(dir, UNIT_NAME);
  await fs.mkdir(dir, { recursive: true });
  let action: InstallServiceResult['action'] = 'created';
  let backupPath: string | null = null;
  const old = await fs.readFile(unitPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (old === text) {
    action = 'unchanged';
  } else {
    if (old !== null) {
      action = 'updated';
      backupPath = await freeBackupName(unitPath);
      await fs.copyFile(unitPath, backupPath);
    }
    const tmp = `${unitPath}.${process.pid}.tmp`;
    await fs.writeFile(tmp, text, { mode: 0o644 });
    await fs.rename(tmp, unitPath);
  }
  if (o.userManager && !o.userManager.reachable && o.detachedScript) {
    // Every systemctl --user step would fail with "Failed to connect to bus": lead with what works.
    const { run, notes: cron } = detached(o);
    return {
      unitPath,
      action,
      backupPath,
      commands: [`${run} start`],
      notes: [
        `The systemd steps cannot work in this session: ${o.userManager.why}.`,
        ...cron,
        [
          'The unit is written for when a user manager is reachable (e.g. a login with a systemd session):',
          ...nextCommands(o.user).map((c) => `  ${c}`),
        ].join('\n'),
      ],
    };
  }
  return { unitPath, action, backupPath, commands: nextCommands(o.user), notes: notes(o) };
}

function nextCommands(user: string): string[] {
  return [
    'systemctl --user daemon-reload',
    'systemctl --user enable --now emb-agent',
    `loginctl enable-linger ${shQuote(user)}`,
    'systemctl --user status emb-agent',
  ];
}

function notes(o: InstallServiceOptions): string[] {
  const out = [
    [
      'Lingering keeps your user manager (and the agent) running after you log out, and starts it at boot.',
      `Whether Betzy allows it is not documented: check with \`loginctl show-user ${shQuote(o.user)} --property=Linger\``,
      '(Linger=yes). Logs: journalctl --user -u emb-agent -f',
    ].join('\n'),
  ];
  if (o.detachedScript) {
    const { run, notes: cron } = detached(o);
    out.push(
      [
        'If lingering is refused, use the detached start instead (it survives logout, not a reboot):',
        `  ${run} start`,
        ...cron,
      ].join('\n'),
    );
  }
  return out;
}

/** The detached script's command line, and how cron keeps it running. */
function detached(o: InstallServiceOptions): { run: string; notes: string[] } {
  const env = [`EMB_AGENT_NODE=${shQuote(o.nodePath)}`];
  if (o.configPath) env.push(`EMB_AGENT_CONFIG=${shQuote(o.configPath)}`);
  if (o.stateDir) env.push(`EMB_AGENT_STATE_DIR=${shQuote(o.stateDir)}`);
  const run = `${env.join(' ')} ${shQuote(o.detachedScript ?? '')}`;
  return {
    run,
    notes: [
      [
        'Let cron start it again after a login-node reboot (crontab -e; if your site allows crontabs):',
        `  @reboot ${run} ensure >/dev/null 2>&1`,
        `  */15 * * * * ${run} ensure >/dev/null 2>&1`,
        'See docs/operations.md for tmux and the details.',
      ].join('\n'),
    ],
  };
}

/** The package root and the files install-service needs, from the path of the running cli.js. */
export function packagePaths(cliFile: string): { root: string; detachedScript: string } {
  const agentDir = path.dirname(cliFile);
  const parent = path.dirname(agentDir);
  const root = path.basename(parent) === 'dist' ? path.dirname(parent) : parent;
  return { root, detachedScript: path.join(root, 'scripts', 'emb-agent-detached.sh') };
}
