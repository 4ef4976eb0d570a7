// The lease file itself, on the shared filesystem (Lustre or NFS $HOME) that every login node sees.
// Only operations that are atomic on Lustre and NFS are relied on:
// - create = link(complete temp file, lease): fails with EEXIST if a lease exists (O_EXCL was unsafe on
//   NFSv2, and a lost link() reply is recognised by the temp file's link count being 2);
// - heartbeat = rename(complete temp file, lease): readers see the old or the new body, never half of one;
// - takeover = a link()-created claim, then rename() over the stale lease (lease-takeover.ts): of several
//   agents taking over at once, exactly one wins.
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { AgentError, describeError, loggable } from '../errors.js';
import type { Logger } from '../log.js';
import { parseLeaseBody, type LeaseBody } from './lease-body.js';
import { createExclusive, readIfExists, removeIfOurs, replaceAtomically } from './shared-files.js';

/** What the file holds now: its text, and the body unless the text is damaged (then why not). */
export type LeaseText = { raw: string; body: LeaseBody | null; problem: string | null };

/** The lease as written, or null when no agent holds one. For the client, `check` and a standby. */
export async function readLease(file: string): Promise<LeaseBody | null> {
  try {
    const text = await readIfExists(file);
    return text === null ? null : parseLeaseBody(text, file);
  } catch (err) {
    throw new AgentError('AGENT_ERR_INTERNAL', `cannot read the lease: ${describeError(err)}`, {
      cause: err,
    });
  }
}

/** One agent's view of the lease file: `owner` is what "ours" means. */
export class LeaseFile {
  constructor(
    readonly file: string,
    private readonly owner: string,
    private readonly logger: Logger,
  ) {}

  /** The folder, 0700, made when missing. */
  async prepare(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
  }

  /** The file's text and body, or null when there is no lease. */
  async current(): Promise<LeaseText | null> {
    const raw = await readIfExists(this.file);
    if (raw === null) return null;
    try {
      return { raw, body: parseLeaseBody(raw, this.file), problem: null };
    } catch (err) {
      return { raw, body: null, problem: describeError(err) };
    }
  }

  /** The body now, synchronously (the fence must not yield); throws when missing or unreadable. */
  readNow(): LeaseBody {
    return parseLeaseBody(readFileSync(this.file, 'utf8'), this.file);
  }

  /** Creates the lease; false if one exists already. */
  create(body: LeaseBody): Promise<boolean> {
    return createExclusive(this.file, JSON.stringify(body), this.owner, this.logger);
  }

  /** Replaces the lease whole (a heartbeat). */
  replace(body: LeaseBody): Promise<void> {
    return replaceAtomically(this.file, JSON.stringify(body), this.owner, this.logger);
  }

  /** Removes the lease only if it is still ours (it may have been taken over while we were frozen). */
  removeIfOurs(): Promise<boolean> {
    return removeIfOurs(
      this.file,
      `${this.file}.released-${this.owner}`,
      (text) => this.ownsText(text),
      this.logger,
    );
  }

  private ownsText(raw: string): boolean {
    try {
      return parseLeaseBody(raw, this.file).owner === this.owner;
    } catch (err) {
      this.logger.debug({ err: loggable(err) }, 'lease text is not ours');
      return false;
    }
  }
}
