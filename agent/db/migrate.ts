// Applies migrations/NNNN-name.sql in order, all pending ones in one transaction, tracked by user_version.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import { AgentError } from '../errors.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** migrations/ at the package root, both from agent/db (tsx) and dist/agent/db (built). */
export function defaultMigrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..';
  return path.resolve(here, up, 'migrations');
}

export function loadMigrations(dir: string): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  const migrations = files.map((file) => {
    const m = /^(\d{4})-([a-z0-9-]+)\.sql$/.exec(file);
    if (!m) throw new AgentError('AGENT_ERR_DB', `migration file ${file} is not named NNNN-name.sql`);
    return { version: Number(m[1]), name: m[2] as string, sql: readFileSync(path.join(dir, file), 'utf8') };
  });
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new AgentError(
        'AGENT_ERR_DB',
        `migrations must be numbered 0001, 0002, … without gaps; found ${m.version} at position ${i + 1}`,
      );
    }
  });
  return migrations;
}

/** Brings the database to the newest schema; refuses one written by a newer build. Returns the versions applied. */
export function migrate(db: Database, migrations: Migration[]): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length ? (migrations[migrations.length - 1] as Migration).version : 0;
  if (current > latest) {
    throw new AgentError(
      'AGENT_ERR_DB_NEWER',
      `the database is at schema version ${current}, newer than this build knows (${latest}); run a newer emb-agent or point stateDir elsewhere`,
      { details: { current, latest } },
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return [];
  db.transaction(() => {
    for (const m of pending) db.exec(m.sql);
    db.pragma(`user_version = ${latest}`);
  })();
  return pending.map((m) => m.version);
}
