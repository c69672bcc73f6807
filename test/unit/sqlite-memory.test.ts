import { describe, expect, it } from 'vitest';
import { SqliteDatabase } from '../../electron/core/storage/sqlite';

describe('the sql.js database', () => {
  it('holds a database opened from bytes in SQLite memory, not in a file, and exports the same rows', async () => {
    const original = await SqliteDatabase.open();
    original.exec('CREATE TABLE payments (seq INTEGER PRIMARY KEY, payment_id TEXT NOT NULL UNIQUE, amount_minor INTEGER NOT NULL)');
    original.transaction(() => {
      for (let seq = 1; seq <= 5_000; seq++) original.run('INSERT INTO payments (payment_id, amount_minor) VALUES (?, ?)', [`P-${seq}`, seq * 7]);
    });
    // An empty file name is SQLite's in-memory database: no page is copied through sql.js's file system.
    expect(original.value("SELECT file FROM pragma_database_list WHERE name = 'main'")).toBe('');
    const bytes = original.export();
    expect(Buffer.from(bytes).toString('latin1', 0, 16)).toBe('SQLite format 3\u0000');
    original.close();

    const reopened = await SqliteDatabase.open(bytes);
    expect(reopened.value("SELECT file FROM pragma_database_list WHERE name = 'main'")).toBe('');
    expect(reopened.get('SELECT count(*) AS count, sum(amount_minor) AS total FROM payments')).toEqual({ count: 5_000, total: 7 * 5_000 * 5_001 / 2 });
    expect(reopened.value('PRAGMA integrity_check')).toBe('ok');
    // PRAGMAs survive an export (sql.js resets them when it reopens a database).
    reopened.export();
    expect(reopened.value('PRAGMA foreign_keys')).toBe(1);
    reopened.close();
  });

  it('refuses bytes that are not an SQLite database', async () => {
    const bytes = Buffer.alloc(8192, 'not a database ');
    await expect(SqliteDatabase.open(bytes)).rejects.toThrow(/not a database/);
  });
});
