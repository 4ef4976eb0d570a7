// The environment recorded with a submission: the caller's, minus what belongs to the login session only.
// Jobs resubmitted days later on the agent's behalf must not carry a dead ssh agent, display or tmux pane.

/** Variables dropped by exact name. */
export const ENV_DENY_NAMES: readonly string[] = [
  'DISPLAY',
  'XAUTHORITY',
  'TERM_SESSION_ID',
  'WINDOWID',
  'DBUS_SESSION_BUS_ADDRESS',
  'XDG_RUNTIME_DIR',
  'SSH_AUTH_SOCK',
  'KRB5CCNAME',
  'GPG_AGENT_INFO',
  'TMUX',
  'TMUX_PANE',
  'STY',
  'OLDPWD',
  '_',
  // The client's own settings say where the agent is, nothing a job needs.
  'EMB_AGENT_URL',
  'EMB_AGENT_TOKEN_FILE',
];

/** Variables dropped by prefix: SSH_CONNECTION, SSH_CLIENT, SSH_TTY…, XDG_SESSION_ID, XDG_SESSION_TYPE… */
export const ENV_DENY_PREFIXES: readonly string[] = ['SSH_', 'XDG_SESSION_'];

export function submissionEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || ENV_DENY_NAMES.includes(k) || ENV_DENY_PREFIXES.some((p) => k.startsWith(p)))
      continue;
    out[k] = v;
  }
  return out;
}
