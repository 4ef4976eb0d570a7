// The state database as a service: built without I/O, opened (journal chosen for its filesystem, migrated)
// by start(), which the composition root runs before any other service's start().
import type { Database } from 'better-sqlite3';
import { openDatabase, type JournalMode } from '../db/open.js';
import { createRepos, type Repos } from '../db/repos/index.js';
import { AgentError } from '../errors.js';
import { detectFsKind } from '../fs/fs-kind.js';
import type { Logger } from '../log.js';

export interface StateDatabaseOptions {
  /** `<stateDir>/agent.db`. */
  file: string;
  /** The folder whose filesystem decides the journal (WAL only where shared memory works). */
  stateDir: string;
  logger: Logger;
}

export class StateDatabase {
  private opened: { db: Database; journal: JournalMode } | null = null;
  private built: Repos | null = null;
  /**
   * The repositories, usable once start() has run. Services get this object while the graph is built and
   * reach a table only when they run, so building needs no open database; a use before start() throws.
   */
  readonly repos: Repos;

  constructor(private readonly opts: StateDatabaseOptions) {
    this.repos = new Proxy({} as Repos, {
      get: (_target, key) => Reflect.get(this.repositories(), key),
    });
  }

  async start(): Promise<void> {
    if (this.opened) return;
    const kind = await detectFsKind(this.opts.stateDir);
    const journal: JournalMode = kind === 'local' ? 'wal' : 'exclusive-rollback';
    let opened: ReturnType<typeof openDatabase>;
    try {
      opened = openDatabase(this.opts.file, { journal });
    } catch (err) {
      // A newer schema (AGENT_ERR_DB_NEWER) keeps its own code; a folder that cannot be made gets one.
      if (err instanceof AgentError) throw err;
      throw new AgentError('AGENT_ERR_DB', `cannot open the state database ${this.opts.file}`, {
        cause: err,
      });
    }
    const { db, applied } = opened;
    if (applied.length) this.opts.logger.info({ applied, db: this.opts.file }, 'database migrated');
    this.opened = { db, journal };
  }

  stop(): void {
    this.opened?.db.close();
    this.opened = null;
    this.built = null;
  }

  get db(): Database {
    return this.open().db;
  }

  get journal(): JournalMode {
    return this.open().journal;
  }

  private repositories(): Repos {
    this.built ??= createRepos(this.open().db);
    return this.built;
  }

  private open(): { db: Database; journal: JournalMode } {
    if (this.opened === null) {
      throw new AgentError(
        'AGENT_ERR_INTERNAL',
        `the state database ${this.opts.file} is used before it was opened (start() not run yet)`,
      );
    }
    return this.opened;
  }
}
