// Tells systemd how the agent is doing (sd_notify(3)): READY once it serves, STOPPING on the way out (each
// with a STATUS line for `systemctl --user status`), WATCHDOG while healthy. Without NOTIFY_SOCKET (a
// foreground run, tmux, the detached script) every call is a no-op, so main can call it unconditionally.
import type { Clock, Timer } from '../clock.js';
import { scrubSecrets, type Logger } from '../log.js';
import { chooseTransport, type NotifyTransport } from './notify-transport.js';
import { loggable } from '../errors.js';

export interface NotifierOptions {
  /** RuntimeEnv.notifySocket: a path, or "@name" for the abstract namespace; undefined = not under systemd. */
  notifySocket: string | undefined;
  /** RuntimeEnv.watchdogUsec (already checked against WATCHDOG_PID by agent/config). */
  watchdogUsec: number | undefined;
  /** RuntimeEnv.path, to find systemd-notify if the in-process transport is unavailable. */
  path: string;
  logger: Logger;
  /** Normally chosen from the socket; pass one to force a mechanism. */
  transport?: NotifyTransport;
}

const NO_TIMER: Timer = { cancel: () => undefined };

export class Notifier {
  private readonly socket: string | undefined;
  private readonly watchdogUsec: number | undefined;
  private readonly searchPath: string;
  private readonly logger: Logger;
  private transport: NotifyTransport | undefined;
  private failing = false;

  constructor(opts: NotifierOptions) {
    this.socket = opts.notifySocket || undefined;
    this.watchdogUsec = opts.watchdogUsec && opts.watchdogUsec > 0 ? opts.watchdogUsec : undefined;
    this.searchPath = opts.path;
    this.logger = opts.logger;
    this.transport = opts.transport;
  }

  /** True when running under systemd with Type=notify. */
  get enabled(): boolean {
    return this.socket !== undefined;
  }

  /** How often the watchdog pinger pings (half of WatchdogSec, as sd_watchdog_enabled(3) advises), or undefined. */
  get watchdogIntervalMs(): number | undefined {
    if (!this.enabled || this.watchdogUsec === undefined) return undefined;
    return Math.max(500, Math.floor(this.watchdogUsec / 2000));
  }

  /** Start-up is complete: migrations ran and the API listens (or, for a standby, it waits for the lease). */
  ready(status?: string): Promise<boolean> {
    return this.send(status === undefined ? 'READY=1' : `READY=1\nSTATUS=${oneLine(status)}`);
  }

  /** Shutdown began; systemd stops waiting for READY and starts TimeoutStopSec. */
  stopping(status?: string): Promise<boolean> {
    return this.send(status === undefined ? 'STOPPING=1' : `STOPPING=1\nSTATUS=${oneLine(status)}`);
  }

  /** One keep-alive; systemd restarts the unit when none arrives within WatchdogSec. */
  watchdog(): Promise<boolean> {
    return this.send('WATCHDOG=1');
  }

  /**
   * Pings WATCHDOG=1 every half WatchdogSec until cancelled. `isHealthy` lets main withhold pings when the
   * agent is alive but broken (its database no longer answers: Agent.healthy), so systemd restarts it; a
   * blocked event loop stops the pings by itself. Slurm being down is no reason: restarting cannot fix it.
   * Does nothing when no watchdog is configured.
   */
  startWatchdog(clock: Clock, isHealthy: () => boolean = () => true): Timer {
    const interval = this.watchdogIntervalMs;
    if (interval === undefined) return NO_TIMER;
    let timer: Timer | undefined;
    let cancelled = false;
    const tick = () => {
      if (cancelled) return;
      if (isHealthy()) void this.watchdog();
      else this.logger.warn('agent unhealthy: withholding the systemd watchdog ping');
      timer = clock.setTimer(interval, tick);
    };
    timer = clock.setTimer(interval, tick);
    this.logger.debug({ intervalMs: interval }, 'systemd watchdog pinger started');
    return {
      cancel: () => {
        cancelled = true;
        timer?.cancel();
      },
    };
  }

  /** Sends one message. Never throws: a lost notification must not take the agent down. */
  private async send(message: string): Promise<boolean> {
    if (this.socket === undefined) return false;
    if (this.transport === undefined) {
      const chosen = chooseTransport(this.socket, this.searchPath);
      this.transport = chosen.transport;
      this.logger.info({ transport: chosen.transport.name, why: chosen.why }, 'sd_notify transport chosen');
    }
    try {
      await this.transport.send(message);
      if (this.failing) this.logger.info('sd_notify messages reach systemd again');
      this.failing = false;
      return true;
    } catch (err) {
      // Log the first failure loudly and repeats quietly: the watchdog would otherwise log every ping.
      const level = this.failing ? 'debug' : 'warn';
      this.logger[level](
        { err: loggable(err), message: message.split('\n')[0] },
        'sd_notify message could not be sent',
      );
      this.failing = true;
      return false;
    }
  }
}

/** STATUS= ends at a newline (the next line would be read as another variable); secrets never go there. */
function oneLine(text: string): string {
  return scrubSecrets(text).replace(/[\r\n]+/g, ' ');
}
