/**
 * Holds SQLite's write lock on a database file from a connection of the test's own, so that the
 * store's writer waits in BEGIN IMMEDIATE (busy_timeout) and the calls made meanwhile queue up
 * behind it; `release` lets it go on.
 */
import { DatabaseSync } from 'node:sqlite';

export function holdWriteLock(filePath: string): { release(): void } {
  const database = new DatabaseSync(filePath);
  database.exec('BEGIN IMMEDIATE');
  return {
    release() {
      database.exec('COMMIT');
      database.close();
    },
  };
}
