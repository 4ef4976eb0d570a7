// The environment a job gets when its submit came from another host (a laptop through the ssh tunnel): the
// agent user's own, as the agent runs (under systemd --user: the user's manager environment), never the
// client's. `sbatch --get-user-env` would load a login shell's, but many sites allow it to root only.
import { AgentError } from '../errors.js';

/** What belongs to the agent's service, not to a job (systemd's, the agent's own settings, a session's). */
const SERVICE_ONLY = new Set([
  'NOTIFY_SOCKET',
  'WATCHDOG_USEC',
  'WATCHDOG_PID',
  'INVOCATION_ID',
  'JOURNAL_STREAM',
  'MANAGERPID',
  'SYSTEMD_EXEC_PID',
  'LISTEN_PID',
  'LISTEN_FDS',
  'LISTEN_FDNAMES',
  'DISPLAY',
  'XAUTHORITY',
  'DBUS_SESSION_BUS_ADDRESS',
  'XDG_RUNTIME_DIR',
  'TMUX',
  'TMUX_PANE',
  'STY',
  'PWD',
  'OLDPWD',
  '_',
]);
const SERVICE_PREFIXES = ['EMB_AGENT_', 'SSH_', 'XDG_SESSION_', 'MEMORY_PRESSURE_', 'CREDENTIALS_'];

export interface AgentSelf {
  host: string;
  uid: number;
  user: string;
  home: string;
  /** The agent's own environment (config.env.vars). */
  vars: Readonly<Record<string, string>>;
}

/** The agent user's environment for a job: the agent's own minus the service's, with HOME, USER and LOGNAME set. */
export function agentUserEnv(self: AgentSelf): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(self.vars)) {
    if (SERVICE_ONLY.has(k) || SERVICE_PREFIXES.some((p) => k.startsWith(p))) continue;
    out[k] = v;
  }
  out.HOME = self.home;
  out.USER = self.user;
  out.LOGNAME = self.user;
  out.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  return out;
}

/** How the request reached the agent: a unix socket only its user can open, or TCP (maybe a tunnel). */
export type Transport = 'unix' | 'tcp';

/**
 * A sent environment is used only from a client shown to be on the agent's host as its user: always over the
 * unix socket (mode 0600 in a 0700 folder), over TCP only when the client says it runs on this host as this
 * uid (a guard against mistakes, not an attacker: the token already lets its holder submit anything). A
 * body without one gets the agent user's (prepareSubmit); one with a foreign environment is refused.
 */
export function refuseForeignEnv(
  self: Pick<AgentSelf, 'host' | 'uid'>,
  body: { env?: Record<string, string> | undefined; client?: { host: string; uid: number } | undefined },
  via: Transport,
): void {
  if (body.env === undefined || via === 'unix') return;
  const c = body.client;
  if (c !== undefined && c.host === self.host && c.uid === self.uid) return;
  const where = c ? `a client on ${c.host} (uid ${c.uid})` : 'a client that did not say where it runs';
  throw new AgentError(
    'AGENT_ERR_BAD_REQUEST',
    `not submitted: the environment of ${where} is not used on ${self.host} (uid ${self.uid}); send none and the job gets the agent user's, with its folder on ${self.host} named by --chdir DIR (emb-client does so when it is elsewhere)`,
    { details: { agentHost: self.host, agentUid: self.uid } },
  );
}
