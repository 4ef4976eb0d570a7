// Puts a built app on the configured address: a loopback TCP port or a unix socket only its owner can use.
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  MAX_SOCKET_PATH,
  privateFolderProblem,
  socketFolderProblem,
  type SocketPlace,
} from '../../shared/socket-path.js';
import type { Listen } from '../config/load.js';
import { AgentError } from '../errors.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * The default socket's folder: created 0700 when missing; one that exists must already be a private folder
 * of ours (not a symlink), or another user could have planted it to take the socket (and the token) over.
 */
async function ensureDefaultFolder(place: SocketPlace, uid: number): Promise<void> {
  try {
    await mkdir(place.folder, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new AgentError('AGENT_ERR_CONFIG', `cannot create the socket folder ${place.folder}`, {
        cause: err,
      });
    }
  }
  const problem = privateFolderProblem(place.folder, uid);
  if (problem !== null) {
    throw new AgentError(
      'AGENT_ERR_CONFIG',
      `api.listen: refusing the default socket folder: ${problem}. Remove it if it is yours ` +
        `(rm -r ${place.folder}), or set api.listen to a socket in a folder only you can write`,
    );
  }
}

/** True when something accepts connections on the socket (a live agent), false for a stale file. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AgentError('AGENT_ERR_CONFIG', `cannot inspect ${path}`, { cause: err });
  }
  if (!isSocket) throw new AgentError('AGENT_ERR_CONFIG', `api.listen: ${path} exists and is not a socket`);
  if (await socketAnswers(path)) {
    throw new AgentError('AGENT_ERR_LEASE_HELD', `another process already listens on ${path}`);
  }
  await unlink(path);
}

/**
 * Listens as configured and returns the address in config syntax ("127.0.0.1:8787", "unix:/path").
 * A non-loopback host is refused unless allowed: the API would be open to the whole network.
 */
export async function listenApp(
  app: FastifyInstance,
  listen: Listen,
  opts: { allowNonLoopback: boolean },
): Promise<string> {
  if (listen.kind === 'unix') {
    const bytes = Buffer.byteLength(listen.path);
    if (bytes > MAX_SOCKET_PATH) {
      throw new AgentError(
        'AGENT_ERR_CONFIG',
        `api.listen: the socket path ${listen.path} is ${bytes} bytes; unix sockets allow at most ${MAX_SOCKET_PATH}, choose a shorter one`,
      );
    }
    const uid = process.getuid?.() ?? -1;
    if (listen.place) await ensureDefaultFolder(listen.place, uid);
    const problem = socketFolderProblem(path.dirname(listen.path), uid);
    if (problem !== null) {
      throw new AgentError(
        'AGENT_ERR_CONFIG',
        `api.listen: refusing to put the socket in ${path.dirname(listen.path)}: ${problem}; ` +
          'use a folder only you can write (chmod go-w, or the default)',
      );
    }
    await clearStaleSocket(listen.path);
    await app.listen({ path: listen.path });
    await chmod(listen.path, 0o600);
    return `unix:${listen.path}`;
  }
  if (!LOOPBACK.test(listen.host) && !opts.allowNonLoopback) {
    throw new AgentError(
      'AGENT_ERR_CONFIG',
      `api.listen: ${listen.host} is not a loopback address; set api.allowNonLoopback: true to expose the API beyond this host`,
    );
  }
  await app.listen({ host: listen.host, port: listen.port });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') return String(addr);
  return addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
}
