// emb-client open: a one-time link that logs a browser into the agent's web page. The link works once and
// for a minute, so it is printed (and opened, when this machine can show a browser on the agent's own
// address) rather than stored anywhere.
import { hostname, userInfo } from 'node:os';
import type { LoginCodeReply } from '../../agent/api/web.js';
import { intOption } from '../args.js';
import type { Context } from '../context.js';
import { EXIT } from '../errors.js';

const DEFAULT_PORT = 8080;

/** The browser's address for the page, and the ssh tunnel that makes it reachable from a laptop. */
export function pageAddress(
  display: string,
  port: number | undefined,
  who: { user: string; host: string },
): { base: string; tunnel: string; local: boolean } {
  const login = `${who.user}@${who.host}`;
  if (display.startsWith('unix:')) {
    const socket = display.slice('unix:'.length);
    const p = port ?? DEFAULT_PORT;
    // OpenSSH (6.7+) forwards a local TCP port to a remote unix socket: no TCP port on the login node.
    return { base: `http://127.0.0.1:${p}`, tunnel: `ssh -N -L ${p}:${socket} ${login}`, local: false };
  }
  const u = new URL(display);
  const agentPort = u.port || '80';
  const p = port ?? Number(agentPort);
  const base = `http://127.0.0.1:${p}${u.pathname.replace(/\/$/, '')}`;
  return {
    base,
    tunnel: `ssh -N -L ${p}:${u.hostname.replace(/^\[|\]$/g, '')}:${agentPort} ${login}`,
    local: port === undefined || String(port) === agentPort,
  };
}

/** A browser on this machine, where there is one to show: macOS, or a desktop session on Linux. */
function opener(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform === 'darwin') return 'open';
  if (process.platform === 'linux' && (env.DISPLAY || env.WAYLAND_DISPLAY)) return 'xdg-open';
  return undefined;
}

export default async function open(ctx: Context): Promise<number> {
  const { options, global } = ctx.parsed;
  const port = intOption(options, 'port');
  const api = await ctx.api();
  const reply = await api.post<LoginCodeReply>('/ui/login-codes', {});
  const addr = pageAddress(api.display, port, {
    user: ctx.env.USER ?? userInfo().username,
    host: hostname(),
  });
  const url = `${addr.base}${reply.path}`;
  if (global.json) {
    ctx.out(`${JSON.stringify({ url, expiresAt: reply.expiresAt, tunnel: addr.tunnel })}\n`);
    return EXIT.ok;
  }
  ctx.out(
    [
      'Open this within a minute; it works once:',
      `  ${url}`,
      '',
      'From a laptop the page comes through an ssh tunnel; start it there first, then run `emb-client open` again:',
      `  ${addr.tunnel}`,
      '',
    ].join('\n'),
  );
  // Only the agent's own address can be opened here: a tunnel's port lives on the laptop.
  const cmd = addr.local && !options.has('no-browser') ? opener(ctx.env) : undefined;
  if (cmd) {
    // Loaded here, not at the top: the single-file bundle hoists a static import of a built-in to its start,
    // and child_process (with net, dgram, streams) would then load at every emb-client start.
    const { spawn } = await import('node:child_process');
    const child = spawn(cmd, [url], { detached: true, stdio: 'ignore' });
    child.on('error', (err) => ctx.out(`(could not start ${cmd}: ${err.message}; open the link by hand)\n`));
    child.unref();
  }
  return EXIT.ok;
}
