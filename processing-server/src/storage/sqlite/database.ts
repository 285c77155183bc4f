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

/**
 * Runs `work` atomically; `work` must be synchronous, so no other request can interleave. On its
 * own it is one write transaction. Inside a transaction already open (the writer's group commit,
 * writer.ts) it is a savepoint of that transaction: all of `work` or none of it, committed with
 * the group.
 */
export function inTransaction<Result>(database: DatabaseSync, work: () => Result): Result {
  const nested = database.isTransaction;
  database.exec(nested ? 'SAVEPOINT work' : 'BEGIN IMMEDIATE');
  try {
    const result = work();
    database.exec(nested ? 'RELEASE work' : 'COMMIT');
    return result;
  } catch (error) {
    // A failure that ended the whole transaction (a full disk, an I/O error) leaves nothing to roll back here.
    if (database.isTransaction) database.exec(nested ? 'ROLLBACK TO work; RELEASE work' : 'ROLLBACK');
    throw error;
  }
}

/**
 * A second connection to the file, for reads only: it never writes (SQLite refuses a write on
 * it) and never migrates (the writer's connection did that). In WAL mode it reads the last
 * committed state while the writer writes, so a read after an awaited write sees that write.
 */
export function openSqliteReadConnection(filePath: string): DatabaseSync {
  const database = new DatabaseSync(filePath, { readOnly: true });
  database.exec('PRAGMA busy_timeout = 5000');
  return database;
}
