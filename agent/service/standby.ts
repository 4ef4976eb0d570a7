// `emb-agent run --standby`: an agent on a second login node that waits for the lease instead of exiting,
// and takes over once the holder stops heartbeating (it died, or its node went away). Meanwhile it keeps a
// small file next to the lease, `agent.lease.standby-<host>-<pid>`, so the holder's /health can say who
// stands by. It opens nothing else in stateDir before it holds the lease: the database is the holder's.
import { readdirSync, readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Clock, Timer } from '../clock.js';
import { describeError, isAgentError, loggable } from '../errors.js';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { describeHolder } from './lease-body.js';
import { readLease } from './lease-file.js';
import type { Lease } from './lease.js';

const StandbySchema = z.object({
  host: z.string(),
  pid: z.number().int(),
  since: z.number(),
  heartbeatAt: z.number(),
});
export type StandbyEntry = z.infer<typeof StandbySchema>;

const PREFIX = '.standby-';

/** The standbys whose file was refreshed within the TTL (older ones died or were killed). */
export function liveStandbys(leaseFile: string, ttlMs: number, now: number): StandbyEntry[] {
  const dir = path.dirname(leaseFile);
  const base = `${path.basename(leaseFile)}${PREFIX}`;
  const out: StandbyEntry[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(base)) continue;
    try {
      const entry = StandbySchema.parse(JSON.parse(readFileSync(path.join(dir, name), 'utf8')));
      if (now - entry.heartbeatAt <= ttlMs) out.push(entry);
    } catch (err) {
      // Half-written files cannot happen (atomic rename); a damaged one names nobody.
      void err;
    }
  }
  return out.sort((a, b) => a.since - b.since);
}

export interface StandbyOptions {
  lease: Lease;
  leaseFile: string;
  host: string;
  pid: number;
  /** How often the lease is tried again and the standby file refreshed. */
  pollMs: number;
  clock: Clock;
  logger: Logger;
}

export class Standby {
  private readonly file: string;
  private readonly since: number;
  private timer: Timer | null = null;
  private wake: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly o: StandbyOptions) {
    this.file = `${o.leaseFile}${PREFIX}${o.host}-${o.pid}`;
    this.since = o.clock.now();
  }

  /** Waits until the lease is ours (true) or stop() was called (false). Other errors are thrown. */
  async waitForLease(): Promise<boolean> {
    let announced = false;
    try {
      while (!this.stopped) {
        try {
          await this.o.lease.acquire();
          return true;
        } catch (err) {
          if (!isAgentError(err, 'AGENT_ERR_LEASE_HELD')) throw err;
          if (!announced) {
            const holder = await this.holder();
            this.o.logger.info({ holder }, `standing by: the lease is held by ${holder}`);
            announced = true;
          }
        }
        await this.touch();
        await this.sleep();
      }
      return false;
    } finally {
      await this.remove();
    }
  }

  /** Ends the wait (a signal while standing by). */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.wake?.();
  }

  private async holder(): Promise<string> {
    const body = await readLease(this.o.leaseFile).catch(() => null);
    return body ? describeHolder(body, this.o.clock.now()) : 'another agent';
  }

  private async touch(): Promise<void> {
    const body: StandbyEntry = {
      host: this.o.host,
      pid: this.o.pid,
      since: this.since,
      heartbeatAt: this.o.clock.now(),
    };
    try {
      await writeFileAtomic(this.file, JSON.stringify(body));
    } catch (err) {
      this.o.logger.warn({ err: loggable(err), file: this.file }, 'could not write the standby file');
    }
  }

  private async remove(): Promise<void> {
    try {
      await unlink(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.o.logger.warn(
          { file: this.file, problem: describeError(err) },
          'could not remove the standby file',
        );
      }
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = this.o.clock.setTimer(this.o.pollMs, resolve);
    });
  }
}
