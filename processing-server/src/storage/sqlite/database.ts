/**
 * Opens the processing server's SQLite database: WAL for concurrent readers, synchronous=FULL
 * so that a committed `pending` survives a power cut, and the migrations applied in order. The
 * card vault's own file is opened the same way, with its own migrations and secure_delete.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SQLITE_MIGRATIONS, type Migration } from './migrations.ts';

export type { Migration };

export interface SqliteOpenOptions {
  /** The file's schema, one migration a step (the processing database's by default). */
  migrations?: readonly Migration[];
  /** Deleted and overwritten content is zeroed in the file instead of left in free space. */
  secureDelete?: boolean;
}

export function openSqliteDatabase(filePath: string, options: SqliteOpenOptions = {}): DatabaseSync {
  if (filePath !== ':memory:') fs.mkdirSync(path.dirname(filePath), { recursive: true });
  const database = new DatabaseSync(filePath);
  database.exec('PRAGMA journal_mode = WAL');
  database.exec('PRAGMA synchronous = FULL');
  database.exec('PRAGMA foreign_keys = ON');
  if (options.secureDelete) database.exec('PRAGMA secure_delete = ON');
  // Another process (the settle command) may hold the write lock briefly; wait instead of failing.
  database.exec('PRAGMA busy_timeout = 5000');
  migrate(database, options.migrations ?? SQLITE_MIGRATIONS);
  return database;
}

function migrate(database: DatabaseSync, migrations: readonly Migration[]): void {
  database.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    database.prepare('SELECT version FROM schema_migrations').all().map((row) => Number(row.version)),
  );
  // In version order, whatever the order of the list (versions are assigned ahead, and a list
  // may gain a lower one later); a version applied already is skipped.
  for (const migration of [...migrations].sort((first, second) => first.version - second.version)) {
    if (applied.has(migration.version)) continue;
    // Foreign keys can only be switched outside a transaction; a rebuild checks them itself.
    if (migration.rebuildsTables) database.exec('PRAGMA foreign_keys = OFF');
    try {
      applyMigration(database, migration);
    } finally {
      if (migration.rebuildsTables) database.exec('PRAGMA foreign_keys = ON');
    }
  }
}

function applyMigration(database: DatabaseSync, migration: Migration): void {
  database.exec('BEGIN IMMEDIATE');
  try {
    // Another process may have applied it while this one waited for the write lock.
    if (database.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version)) {
      database.exec('COMMIT');
      return;
    }
    database.exec(migration.sql);
    if (migration.rebuildsTables) {
      const broken = database.prepare('PRAGMA foreign_key_check').all();
      if (broken.length > 0) throw new Error(`migration ${migration.version} would break ${broken.length} foreign keys`);
    }
    database.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, new Date().toISOString());
    database.exec('COMMIT');
  } catch (error) {
    database.exec('ROLLBACK');
    throw error;
  }
}

/** Runs `work` in one write transaction; `work` must be synchronous, so no other request can interleave. */
export function inTransaction<Result>(database: DatabaseSync, work: () => Result): Result {
  database.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    database.exec('COMMIT');
    return result;
  } catch (error) {
    database.exec('ROLLBACK');
    throw error;
  }
}
