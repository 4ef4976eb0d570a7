// `emb-agent run`: acquires the lease, builds the agent, listens, tells systemd, and stops cleanly on a signal.
import { systemClock } from './clock.js';
import type { Config } from './config/load.js';
import { composeAgent, type Agent } from './compose.js';
import { listenApp } from './http/listen.js';
import { createLogger } from './log.js';
import { EXIT, exitCodeFor } from './service/exit-codes.js';
import { Lease } from './service/lease.js';
import { Notifier } from './service/sd-notify.js';
import { liveStandbys, Standby } from './service/standby.js';
import { guardState, stateCheckFor } from './service/state-guard.js';
import { packageVersion } from './version.js';
import { loggable } from './errors.js';
import { leaseFilePath } from '../shared/contract.js';

export async function runAgent(config: Config, opts: { standby?: boolean } = {}): Promise<number> {
  const { env } = config;
  const logger = createLogger(config.log.level, undefined, { host: env.hostname, pid: env.pid });
  const clock = systemClock;
  const version = packageVersion();
  const notifier = new Notifier({
    notifySocket: env.notifySocket,
    watchdogUsec: env.watchdogUsec,
    path: env.path,
    logger,
  });
  let stopRequested: (code: number, why: string) => void = () => undefined;
  const stopped = new Promise<{ code: number; why: string }>((resolve) => {
    stopRequested = (code, why) => resolve({ code, why });
  });
  const leaseFile = leaseFilePath(config.stateDir);
  const lease = new Lease({
    file: leaseFile,
    host: env.hostname,
    pid: env.pid,
    ttlMs: config.lease.ttlSeconds * 1000,
    heartbeatMs: config.lease.heartbeatSeconds * 1000,
    clock,
    logger,
    version,
    listen: config.api.listenText,
    onLost: () => stopRequested(EXIT.LEASE_HELD, 'another agent took the lease over'),
  });
  const onSignal = (sig: NodeJS.Signals) => stopRequested(EXIT.OK, `received ${sig}`);
  // SIGHUP too: closing the tmux window or the terminal of a foreground agent must stop it cleanly.
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  for (const sig of signals) process.once(sig, onSignal);

  const standby = opts.standby
    ? new Standby({
        lease,
        leaseFile,
        host: env.hostname,
        pid: env.pid,
        pollMs: Math.max(1000, (config.lease.heartbeatSeconds * 1000) / 2),
        clock,
        logger,
      })
    : null;
  void stopped.then(() => standby?.stop());

  let agent: Agent | undefined;
  let watchdog: { cancel(): void } | undefined;
  let phase: 'start' | 'listen' = 'start';
  let leaseHeld = false;
  try {
    // Whatever umask the agent was started with, what it creates (database, journals, lease, token) is 0600.
    process.umask(0o077);
    guardState(stateCheckFor(config), logger);
    if (standby) {
      // Ready as a standby: systemd must neither time the start out nor restart a healthy waiting agent.
      await notifier.ready('standing by for the lease');
      watchdog = notifier.startWatchdog(clock);
      // The clock's timers do not hold the process (unref): nothing else does while standing by.
      const keepAlive = setInterval(() => undefined, 2 ** 30);
      const got = await standby.waitForLease().finally(() => clearInterval(keepAlive));
      watchdog.cancel();
      if (!got) {
        for (const sig of signals) process.removeListener(sig, onSignal);
        logger.info('emb-agent stopped while standing by');
        logger.flush();
        return EXIT.OK;
      }
    } else await lease.acquire();
    leaseHeld = true;
    lease.start();
    const ttlMs = config.lease.ttlSeconds * 1000;
    agent = composeAgent({
      config,
      logger,
      clock,
      version,
      fence: () => lease.fence(),
      uncleanStop: lease.takenOverFrom,
      leaseInfo: () => ({
        holder: `${env.hostname} (pid ${env.pid})`,
        standby: liveStandbys(leaseFile, ttlMs, clock.now()).map((s) => ({
          host: s.host,
          pid: s.pid,
          since: new Date(s.since).toISOString(),
          heartbeatAt: new Date(s.heartbeatAt).toISOString(),
        })),
      }),
    });
    await agent.start();
    phase = 'listen';
    const address = await listenApp(agent.app, config.api.listen, {
      allowNonLoopback: config.api.allowNonLoopback,
    });
    if (config.api.listen.kind === 'tcp' && config.api.allowNonLoopback) {
      logger.warn(
        { address },
        'the API listens beyond loopback (api.allowNonLoopback): anyone who can reach it may try the token',
      );
    }
    await lease.update({ listen: address });
    logger.info({ address, version, config: config.configPath ?? 'defaults' }, 'emb-agent is ready');
    await notifier.ready(`serving on ${address}`);
    watchdog = notifier.startWatchdog(clock, () => agent?.healthy() ?? false);
  } catch (err) {
    const code = exitCodeFor(err, phase === 'listen' ? 'listen' : undefined);
    logger.fatal({ err: loggable(err) }, 'emb-agent could not start');
    await agent
      ?.stop()
      .catch((e: unknown) => logger.error({ err: loggable(e) }, 'stopping after a failed start'));
    if (leaseHeld) await lease.stop();
    for (const sig of signals) process.removeListener(sig, onSignal);
    logger.flush();
    return code;
  }

  const { code, why } = await stopped;
  logger.info({ why }, 'emb-agent is stopping');
  await notifier.stopping(why);
  watchdog?.cancel();
  try {
    await agent.stop();
  } catch (err) {
    logger.error({ err: loggable(err) }, 'a service did not stop cleanly');
  }
  await lease.stop();
  logger.info('emb-agent stopped');
  logger.flush();
  return code;
}
