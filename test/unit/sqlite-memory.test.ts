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

  it('binds strings, numbers and nulls straight into SQLite, and they read back exactly as sql.js binds them', async () => {
    const database = await SqliteDatabase.open();
    expect(database.bindsDirectly).toBe(true);
    database.exec('CREATE TABLE cells (id INTEGER PRIMARY KEY, text TEXT, number INTEGER, real REAL, kind TEXT, blob BLOB)');
    const texts = ['', 'plain', 'Zahlung für Müller', '付款', 'emoji 💶 pair', 'a'.repeat(70_000), "it's \"quoted\"\u0000after"];
    const numbers = [0, 1, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 1_764_000_000_000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    const rows = texts.flatMap((text, index) => numbers.map((number) => [text, number, number + 0.5, index % 2 === 0 ? null : 'odd']));
    database.transaction(() => database.insertRows('INSERT INTO cells (text, number, real, kind)', 4, rows.flat(), 8));
    const stored = database.rows('SELECT text, number, real, kind, typeof(number), typeof(real) FROM cells ORDER BY id');
    expect(stored).toEqual(rows.map(([text, number, real, kind]) => [text, number, real, kind, 'integer', 'real']));
    // A query binds the same way: every text finds its rows, and a blob (which sql.js binds) is kept byte for byte.
    texts.forEach((text, index) => {
      expect(database.value('SELECT count(*) FROM cells WHERE text = ? AND kind IS ?', [text, index % 2 === 0 ? null : 'odd'])).toBe(numbers.length);
    });
    database.run('INSERT INTO cells (text, blob) VALUES (?, ?)', ['with a blob', new Uint8Array([0, 1, 254, 255])]);
    expect(database.value('SELECT blob FROM cells WHERE text = ?', ['with a blob'])).toEqual(new Uint8Array([0, 1, 254, 255]));
    // A refused row binds nothing for the next statement: the failed statement is reset and the next one binds its own values.
    expect(() => database.run('INSERT INTO cells (id, text) VALUES (?, ?)', [1, 'taken'])).toThrow(/UNIQUE/);
    database.run('INSERT INTO cells (text) VALUES (?)', ['after the failure']);
    expect(database.value('SELECT count(*) FROM cells WHERE text = ?', ['after the failure'])).toBe(1);
    database.close();
  });

  it('refuses bytes that are not an SQLite database', async () => {
    const bytes = Buffer.alloc(8192, 'not a database ');
    await expect(SqliteDatabase.open(bytes)).rejects.toThrow(/not a database/);
  });
});
