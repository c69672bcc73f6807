import initSqlJs, { type Database, type SqlJsStatic, type Statement, type SqlValue } from 'sql.js';

export type Row = Record<string, SqlValue>;
export type Params = SqlValue[];

let sqlJsPromise: Promise<SqlJsStatic> | null = null;

function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJsPromise ??= initSqlJs();
  return sqlJsPromise;
}

/** PRAGMAs for an in-memory database whose durability comes from our own journal. */
const pragmas = [
  'PRAGMA foreign_keys = ON',
  'PRAGMA journal_mode = MEMORY',
  'PRAGMA synchronous = OFF',
  'PRAGMA temp_store = MEMORY',
  // Keeps the lock between transactions, so SQLite stops probing for a hot journal file before
  // each one: in sql.js every probe is a MEMFS lookup that throws, the largest cost of a small transaction.
  'PRAGMA locking_mode = EXCLUSIVE',
];

/**
 * A thin wrapper over a sql.js database that caches prepared statements and
 * knows the trap in `export()`: sql.js closes and reopens the database there,
 * freeing every statement and resetting every PRAGMA. `export` here re-applies
 * the PRAGMAs and lets statements be prepared again lazily.
 */
export class SqliteDatabase {
  private readonly statements = new Map<string, Statement>();
  private inTransaction = false;

  private constructor(private readonly database: Database) {
    this.applyPragmas();
  }

  static async open(bytes?: Uint8Array): Promise<SqliteDatabase> {
    const SQL = await loadSqlJs();
    return new SqliteDatabase(new SQL.Database(bytes));
  }

  exec(sql: string): void {
    this.database.exec(sql);
  }

  statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, params: Params = []): void {
    this.statement(sql).run(params);
  }

  /** The first row as an object, or undefined. */
  get<T = Row>(sql: string, params: Params = []): T | undefined {
    const statement = this.statement(sql);
    try {
      statement.bind(params);
      return statement.step() ? (statement.getAsObject() as T) : undefined;
    } finally {
      statement.reset();
    }
  }

  /** The first column of the first row, or undefined. */
  value(sql: string, params: Params = []): SqlValue | undefined {
    const statement = this.statement(sql);
    try {
      statement.bind(params);
      return statement.step() ? statement.get()[0] : undefined;
    } finally {
      statement.reset();
    }
  }

  all<T = Row>(sql: string, params: Params = []): T[] {
    const statement = this.statement(sql);
    const rows: T[] = [];
    try {
      statement.bind(params);
      while (statement.step()) rows.push(statement.getAsObject() as T);
    } finally {
      statement.reset();
    }
    return rows;
  }

  /** Rows as arrays of column values: cheaper than objects on large reads. */
  rows(sql: string, params: Params = []): SqlValue[][] {
    const statement = this.statement(sql);
    const rows: SqlValue[][] = [];
    try {
      statement.bind(params);
      while (statement.step()) rows.push(statement.get());
    } finally {
      statement.reset();
    }
    return rows;
  }

  /**
   * Inserts many rows of `width` values each (`values` holds them end to
   * end) with multi-row INSERTs: `insert` is the statement up to VALUES, such
   * as "INSERT INTO t (a, b)". Full groups of `rowsPerStatement` rows go in one
   * bind and step each, the tail row by row; in sql.js each statement call
   * crosses into WebAssembly, so a million rows cost a fraction of the calls.
   */
  insertRows(insert: string, width: number, values: SqlValue[], rowsPerStatement = 64): void {
    if (values.length % width !== 0) throw new Error(`insertRows: ${values.length} values are not rows of ${width}`);
    const tuple = `(${Array(width).fill('?').join(', ')})`;
    const groupValues = rowsPerStatement * width;
    const fullGroupsEnd = values.length - (values.length % groupValues);
    if (fullGroupsEnd > 0) {
      const statement = this.statement(`${insert} VALUES ${Array(rowsPerStatement).fill(tuple).join(', ')}`);
      for (let start = 0; start < fullGroupsEnd; start += groupValues) statement.run(values.slice(start, start + groupValues));
    }
    if (fullGroupsEnd === values.length) return;
    const single = this.statement(`${insert} VALUES ${tuple}`);
    for (let start = fullGroupsEnd; start < values.length; start += width) single.run(values.slice(start, start + width));
  }

  get changes(): number {
    return this.database.getRowsModified();
  }

  /** Runs `work` in one transaction; any exception rolls everything back. */
  transaction<T>(work: () => T): T {
    if (this.inTransaction) throw new Error('nested transactions are not supported');
    this.database.exec('BEGIN');
    this.inTransaction = true;
    try {
      const result = work();
      this.database.exec('COMMIT');
      return result;
    } catch (error) {
      this.database.exec('ROLLBACK');
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  /** The whole database as bytes. Only between transactions: sql.js would roll an open one back. */
  export(): Uint8Array {
    if (this.inTransaction) throw new Error('export inside a transaction would roll it back');
    this.freeStatements();
    const bytes = this.database.export();
    this.applyPragmas();
    return bytes;
  }

  close(): void {
    this.freeStatements();
    this.database.close();
  }

  private freeStatements(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
  }

  private applyPragmas(): void {
    for (const pragma of pragmas) this.database.exec(pragma);
  }
}
