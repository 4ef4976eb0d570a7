// Names the user behind a uid (sacct says "CANCELLED by 1001"), through the system's user database:
// `getent passwd` sees LDAP/SSSD accounts, which /etc/passwd on an HPC login node does not hold.
import type { Logger } from '../log.js';
import { CommandRunner } from './runner.js';

export interface UserNames {
  /** The login name of a uid, or null when the user database does not know it. */
  nameOf(uid: number): Promise<string | null>;
}

export class GetentUserNames implements UserNames {
  private readonly runner: CommandRunner;
  // Few distinct uids ever cancel a user's jobs, and names do not change under a running agent.
  private readonly known = new Map<number, string | null>();

  constructor(opts: { timeoutMs: number; logger: Logger }) {
    // getent is a system command: no Slurm binDir.
    this.runner = new CommandRunner({ timeoutMs: opts.timeoutMs, logger: opts.logger });
  }

  async nameOf(uid: number): Promise<string | null> {
    if (!Number.isInteger(uid) || uid < 0) return null;
    const cached = this.known.get(uid);
    if (cached !== undefined) return cached;
    // Exit 2: no such key; not an error for us.
    const r = await this.runner.run('getent', ['passwd', String(uid)], { accept: (x) => x.exitCode === 2 });
    const name = r.exitCode === 0 ? (r.stdout.split(':')[0]?.trim() ?? '') : '';
    const result = name === '' ? null : name;
    this.known.set(uid, result);
    return result;
  }
}
