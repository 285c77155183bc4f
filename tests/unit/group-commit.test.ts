/**
 * Group commit on one SQLite connection (processing-server/src/storage/sqlite/group-commit.ts):
 * the calls of a group share one transaction and one COMMIT, each in a savepoint of its own.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { inTransaction } from '../../processing-server/src/storage/sqlite/database.ts';
import { commitGroup } from '../../processing-server/src/storage/sqlite/group-commit.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

let directory: string;
let filePath: string;
let database: DatabaseSync;

beforeEach(() => {
  directory = makeTempDir('group-commit');
  filePath = path.join(directory, 'group.sqlite');
  database = new DatabaseSync(filePath);
  database.exec(`PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;
    CREATE TABLE parents (id TEXT PRIMARY KEY);
    CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);`);
});

afterEach(() => {
  database.close();
  removeDir(directory);
});

/** The parents another connection sees: what is committed. */
function committedParents(): string[] {
  const other = new DatabaseSync(filePath, { readOnly: true });
  try {
    return other.prepare('SELECT id FROM parents ORDER BY id').all().map((row) => String(row.id));
  } finally {
    other.close();
  }
}

const insertParent = (id: string) => () => {
  database.prepare('INSERT INTO parents (id) VALUES (?)').run(id);
  return id;
};

describe('commitGroup', () => {
  test('when several calls succeed, then they commit together: none is visible to another connection before the last has run', async () => {
    const seenDuringLast: string[][] = [];

    const outcomes = await commitGroup(database, [insertParent('a'), insertParent('b'), () => {
      seenDuringLast.push(committedParents());
      return insertParent('c')();
    }]);

    expect(outcomes).toEqual([{ ok: true, value: 'a' }, { ok: true, value: 'b' }, { ok: true, value: 'c' }]);
    expect(seenDuringLast).toEqual([[]]);
    expect(committedParents()).toEqual(['a', 'b', 'c']);
    expect(database.isTransaction).toBe(false);
  });

  test('when a call writes and then throws, then only its own writes are undone and the others commit', async () => {
    const failure = new Error('the check after the write failed');

    const outcomes = await commitGroup(database, [insertParent('a'), () => {
      insertParent('b')();
      insertParent('c')();
      throw failure;
    }, insertParent('d')]);

    expect(outcomes).toEqual([{ ok: true, value: 'a' }, { ok: false, error: failure }, { ok: true, value: 'd' }]);
    expect(committedParents()).toEqual(['a', 'd']);
  });

  test('when calls of a group use the store\'s transaction helper, then each is a savepoint of the group: one that fails undoes only itself', async () => {
    const outcomes = await commitGroup(database, [
      insertParent('a'),
      () => inTransaction(database, () => insertParent('b')()),
      () => inTransaction(database, () => {
        insertParent('c')();
        insertParent('a')(); // a duplicate key: the whole call is undone, its 'c' too
      }),
      insertParent('d'),
    ]);

    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, false, true]);
    expect(committedParents()).toEqual(['a', 'b', 'd']);
  });

  test('when the commit fails, then every call of the group gets the error and none of their writes is kept', async () => {
    const ownFailure = new Error('a call that failed on its own');

    const outcomes = await commitGroup(database, [
      insertParent('a'),
      () => { throw ownFailure; },
      // A child whose parent does not exist: the deferred foreign key fails at COMMIT.
      () => database.prepare("INSERT INTO children (id, parent_id) VALUES ('orphan', 'nobody')").run(),
    ]);

    expect(outcomes[0]).toEqual({ ok: false, error: expect.objectContaining({ message: expect.stringMatching(/FOREIGN KEY constraint failed/) }) });
    expect(outcomes[1]).toEqual({ ok: false, error: ownFailure });
    expect(outcomes[2]).toEqual(outcomes[0]);
    expect(committedParents()).toEqual([]);
    expect(database.isTransaction).toBe(false);
  });

  test('when one call alone fails, then nothing of it is kept and the connection is left outside a transaction', async () => {
    const outcomes = await commitGroup(database, [() => {
      insertParent('a')();
      throw new Error('failed after writing');
    }]);

    expect(outcomes).toEqual([{ ok: false, error: new Error('failed after writing') }]);
    expect(committedParents()).toEqual([]);
    expect(database.isTransaction).toBe(false);
  });

  test('when another connection holds the write lock past the busy timeout, then every call gets the error and none runs', async () => {
    const other = new DatabaseSync(filePath);
    other.exec('BEGIN IMMEDIATE');
    database.exec('PRAGMA busy_timeout = 0');
    let ran = 0;
    try {
      const outcomes = await commitGroup(database, [() => { ran += 1; }, () => { ran += 1; }]);

      expect(outcomes).toEqual([
        { ok: false, error: expect.objectContaining({ message: expect.stringMatching(/database is locked/) }) },
        { ok: false, error: expect.objectContaining({ message: expect.stringMatching(/database is locked/) }) },
      ]);
      expect(ran).toBe(0);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});
