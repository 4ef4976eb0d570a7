// Opens the state database with a journal mode that suits the filesystem it lives on.
import { chmodSync, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { AgentError } from '../errors.js';
import { defaultMigrationsDir, loadMigrations, migrate } from './migrate.js';

export type JournalMode = 'wal' | 'exclusive-rollback';

export interface OpenOptions {
  /**
   * WAL needs shared memory that network filesystems (Lustre, NFS, GPFS, BeeGFS) do not provide across
   * hosts; there the database uses a rollback journal and holds an exclusive lock.
   */
  journal: JournalMode;
  migrationsDir?: string;
}

export interface OpenedDatabase {
  db: Database;
  applied: number[];
  journal: JournalMode;
}

/**
 * Creates the database file 0600 before SQLite does (SQLite would use 0644 less the umask), never through a
 * symlink; SQLite gives its -wal, -shm and -journal files the database file's mode.
 */
function createPrivate(file: string): void {
  let fd: number;
  try {
    fd = openSync(
      file,
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW,
      0o600,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  closeSync(fd);
  chmodSync(file, 0o600);
}

export function openDatabase(file: string, opts: OpenOptions): OpenedDatabase {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let db: Database;
  try {
    createPrivate(file);
    db = new BetterSqlite3(file);
  } catch (err) {
    throw new AgentError('AGENT_ERR_DB', `cannot open the state database ${file}`, { cause: err });
  }
  try {
    if (opts.journal === 'wal') {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    } else {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = DELETE');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const applied = migrate(db, loadMigrations(opts.migrationsDir ?? defaultMigrationsDir()));
    return { db, applied, journal: opts.journal };
  } catch (err) {
    db.close();
    throw err;
  }
}
