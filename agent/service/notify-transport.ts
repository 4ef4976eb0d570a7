// How an sd_notify message reaches systemd: one datagram on the AF_UNIX SOCK_DGRAM socket named by
// NOTIFY_SOCKET. Node's dgram module has no unix datagrams, so there are two ways to send one:
//
// 1. In-process, through `unix-dgram` (an optional dependency): a small native addon by Ben Noordhuis
//    (a Node core collaborator) that wraps socket/sendmsg and links nothing but libc. The message comes
//    from the agent's own pid, so the unit can say NotifyAccess=main, and no process is spawned per
//    watchdog ping. Preferred. Rejected alternatives: `sd-notify` and `sd-daemon` link libsystemd and need
//    its development headers at install time, which HPC login nodes rarely have.
// 2. `systemd-notify VAR=VALUE...` via execFile (argv array, time-out). Always present where systemd is,
//    needs no compiler, but the sender is a child process, so the unit needs NotifyAccess=all, and on
//    systemd < 246 the message can be dropped if the child exits before PID 1 reads it (newer versions wait
//    with a barrier). Used when the addon did not build (it is optional, so `npm ci` never fails on it)
//    and for abstract-namespace sockets ("@name"), which unix-dgram cannot address (it strncpy()s the
//    path and passes sizeof(sockaddr_un) as the address length).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

export interface NotifyTransport {
  readonly name: 'datagram' | 'systemd-notify';
  /** Sends one message ("READY=1\nSTATUS=..."); rejects with the reason when it could not be sent. */
  send(message: string): Promise<void>;
}

/** The part of unix-dgram's API used here (it ships no types). */
export interface UnixDgramSocket {
  on(event: 'error', fn: (err: Error) => void): void;
  on(event: 'message', fn: (buf: Buffer) => void): void;
  on(event: 'listening', fn: () => void): void;
  bind(path: string): void;
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
}
export interface UnixDgramModule {
  createSocket(type: 'unix_dgram', listener?: (buf: Buffer) => void): UnixDgramSocket;
}

/** Loads the unix-dgram addon, or returns the reason it is unavailable. */
export function loadUnixDgram(): { module: UnixDgramModule } | { error: Error } {
  try {
    const require = createRequire(import.meta.url);
    return { module: require('unix-dgram') as UnixDgramModule };
  } catch (err) {
    return { error: err as Error };
  }
}

class DatagramTransport implements NotifyTransport {
  readonly name = 'datagram';
  constructor(
    private readonly socketPath: string,
    private readonly dgram: UnixDgramModule,
  ) {}

  send(message: string): Promise<void> {
    // A socket per message: pings are seconds apart, and an open addon socket holds a libuv poll
    // handle that would keep a stopping process alive.
    return new Promise((resolve, reject) => {
      let sock: UnixDgramSocket;
      try {
        sock = this.dgram.createSocket('unix_dgram');
      } catch (err) {
        reject(err as Error);
        return;
      }
      sock.on('error', reject);
      const buf = Buffer.from(message, 'utf8');
      sock.send(buf, 0, buf.length, this.socketPath, (err) => {
        sock.close();
        if (err) reject(err);
        else resolve();
      });
    });
  }
}

export class SystemdNotifyTransport implements NotifyTransport {
  readonly name = 'systemd-notify';
  constructor(
    private readonly socketPath: string,
    /** PATH used to find systemd-notify (the agent's RuntimeEnv.path). */
    private readonly searchPath: string,
    private readonly timeoutMs = 10_000,
    private readonly command = 'systemd-notify',
  ) {}

  send(message: string): Promise<void> {
    // Each VAR=VALUE line is one argument; systemd-notify joins them into one datagram.
    const argv = message.split('\n').filter((l) => l.length > 0);
    return new Promise((resolve, reject) => {
      execFile(
        this.command,
        argv,
        { timeout: this.timeoutMs, env: { NOTIFY_SOCKET: this.socketPath, PATH: this.searchPath } },
        (err, _stdout, stderr) => {
          if (err)
            reject(new Error(`${this.command} ${argv.join(' ')} failed: ${stderr.trim() || err.message}`));
          else resolve();
        },
      );
    });
  }
}

/** The best transport for a socket: in-process when possible, else systemd-notify. */
export function chooseTransport(
  socketPath: string,
  searchPath: string,
): { transport: NotifyTransport; why: string } {
  if (socketPath.startsWith('@')) {
    return {
      transport: new SystemdNotifyTransport(socketPath, searchPath),
      why: 'abstract-namespace socket; unix-dgram cannot address it',
    };
  }
  const loaded = loadUnixDgram();
  if ('module' in loaded)
    return { transport: new DatagramTransport(socketPath, loaded.module), why: 'unix-dgram' };
  return {
    transport: new SystemdNotifyTransport(socketPath, searchPath),
    why: `unix-dgram unavailable (${loaded.error.message.split('\n')[0]})`,
  };
}
