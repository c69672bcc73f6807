import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import initSqlJs, { type Database, type SqlJsStatic, type Statement, type SqlValue } from 'sql.js';

export type Row = Record<string, SqlValue>;
export type Params = SqlValue[];

/** sql.js's module also carries emscripten's helpers, which its typings leave out. */
interface SqlJsModule extends SqlJsStatic {
  cwrap(name: string, returns: string | null, argumentTypes: string[]): (...args: (number | string)[]) => number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _RegisterExtensionFunctions(handle: number): number;
}

/**
 * The few SQLite C functions sql.js compiles in but does not wrap, used to
 * keep the live database in SQLite's own memory instead of a file in sql.js's
 * in-memory file system (see `SqliteDatabase.open`).
 */
class NativeSqlite {
  private readonly openFile: (filename: string, pointer: number) => number;
  private readonly closeHandle: (handle: number) => number;
  private readonly errorMessage: (handle: number) => string;
  private readonly backupInit: (to: number, toName: string, from: number, fromName: string) => number;
  private readonly backupStep: (backup: number, pages: number) => number;
  private readonly backupFinish: (backup: number) => number;

  constructor(private readonly SQL: SqlJsModule, private readonly memory: WebAssembly.Memory) {
    this.openFile = SQL.cwrap('sqlite3_open', 'number', ['string', 'number']);
    this.closeHandle = SQL.cwrap('sqlite3_close_v2', 'number', ['number']);
    this.errorMessage = SQL.cwrap('sqlite3_errmsg', 'string', ['number']) as unknown as (handle: number) => string;
    this.backupInit = SQL.cwrap('sqlite3_backup_init', 'number', ['number', 'string', 'number', 'string']);
    this.backupStep = SQL.cwrap('sqlite3_backup_step', 'number', ['number', 'number']);
    this.backupFinish = SQL.cwrap('sqlite3_backup_finish', 'number', ['number']);
  }

  /** A new connection (':memory:' for one held in SQLite's own memory). */
  open(filename: string): number {
    const pointer = this.SQL._malloc(4);
    try {
      const code = this.openFile(filename, pointer);
      // The memory may have grown (a new buffer) during the call: read it afterwards.
      const handle = new DataView(this.memory.buffer).getInt32(pointer, true);
      if (code !== 0) {
        if (handle !== 0) this.closeHandle(handle);
        throw new Error(`sqlite3_open(${filename}) failed with code ${code}`);
      }
      this.SQL._RegisterExtensionFunctions(handle);
      return handle;
    } finally {
      this.SQL._free(pointer);
    }
  }

  close(handle: number): void {
    const code = this.closeHandle(handle);
    if (code !== 0) throw new Error(`sqlite3_close failed with code ${code}`);
  }

  /** Copies every page of one connection's main database into another's (SQLite's online backup). */
  copy(from: number, to: number): void {
    const sqliteDone = 101;
    const backup = this.backupInit(to, 'main', from, 'main');
    if (backup === 0) throw new Error(this.errorMessage(to));
    const stepCode = this.backupStep(backup, -1);
    const finishCode = this.backupFinish(backup);
    if (stepCode !== sqliteDone || finishCode !== 0) throw new Error(`copying the database failed: ${this.errorMessage(to)}`);
  }
}

/**
 * Binds a statement's parameters straight into SQLite when they are all
 * strings, numbers or nulls, which is every statement the ledger runs many
 * times. sql.js binds a string by allocating a copy in WebAssembly memory,
 * encoding it there character by character in JavaScript, and freeing it at
 * the next reset: for a batch chunk that was six allocations per row and
 * about a sixth of the time spent inserting payments. Here every string of one
 * bind is written into one scratch area that lives as long as the process (an
 * ASCII copy loop, TextEncoder for other text), and bound with SQLITE_STATIC.
 * A number is bound the way sql.js binds it (a 32-bit integer as an integer,
 * any other as a double, which SQLite stores as an integer in an INTEGER
 * column), so a value reads back the same whichever path bound it.
 *
 * The scratch area holds the text of one statement at a time: SqliteDatabase
 * binds, steps and resets a statement in one synchronous call, and no other
 * statement is bound in between.
 */
class ValueBinder {
  private readonly encoder = new TextEncoder();
  private readonly bindText: (statement: number, position: number, pointer: number, bytes: number, destructor: number) => number;
  private readonly bindInt: (statement: number, position: number, value: number) => number;
  private readonly bindDouble: (statement: number, position: number, value: number) => number;
  private readonly bindBlob: (statement: number, position: number, pointer: number, bytes: number, destructor: number) => number;
  private scratchPointer = 0;
  private scratchBytes = 0;
  /**
   * The field of sql.js's Statement that holds SQLite's statement handle (minified builds rename it), learnt from the
   * first database opened; null binds through sql.js.
   */
  private handleField: string | null | undefined = undefined;

  constructor(private readonly SQL: SqlJsModule, private readonly memory: WebAssembly.Memory) {
    this.bindText = SQL.cwrap('sqlite3_bind_text', 'number', ['number', 'number', 'number', 'number', 'number']);
    this.bindInt = SQL.cwrap('sqlite3_bind_int', 'number', ['number', 'number', 'number']);
    this.bindDouble = SQL.cwrap('sqlite3_bind_double', 'number', ['number', 'number', 'number']);
    this.bindBlob = SQL.cwrap('sqlite3_bind_blob', 'number', ['number', 'number', 'number', 'number', 'number']);
  }

  /**
   * Finds, once, which field of a Statement holds its SQLite handle, with a
   * statement prepared on `database`: the one number among its fields (the
   * others are a small position, arrays and objects) for which SQLite returns
   * the statement's own SQL.
   */
  learnHandleField(database: Database): void {
    if (this.handleField !== undefined) return;
    const sqlOf = this.SQL.cwrap('sqlite3_sql', 'string', ['number']) as unknown as (statement: number) => string;
    const probe = database.prepare(handleProbeSql);
    try {
      const fields = Object.entries(probe).filter(([, value]) => typeof value === 'number' && value >= firstHeapAddress);
      this.handleField = fields.length === 1 && sqlOf(fields[0][1] as number) === handleProbeSql ? fields[0][0] : null;
    } finally {
      probe.free();
    }
  }

  /** True once the handle's field is known: statements then bind here rather than through sql.js. */
  get direct(): boolean {
    return typeof this.handleField === 'string';
  }

  /**
   * Binds values[start..end) to parameters 1, 2, ... of `statement` (a reset
   * one) and returns true; false, binding nothing, when a value is of another
   * kind (a blob, a boolean), which sql.js's own bind then takes.
   */
  bind(statement: Statement, values: readonly SqlValue[], start: number, end: number): boolean {
    if (typeof this.handleField !== 'string') return false;
    let textBytesMax = 0;
    for (let index = start; index < end; index++) {
      const value = values[index];
      if (typeof value === 'string') textBytesMax += value.length * utf8BytesPerCodeUnitMax;
      else if (typeof value !== 'number' && value !== null) return false;
    }
    this.reserve(textBytesMax);
    const heap = new Uint8Array(this.memory.buffer, this.scratchPointer, this.scratchBytes);
    const handle = (statement as unknown as Record<string, number>)[this.handleField];
    let offset = 0;
    for (let index = start; index < end; index++) {
      const value = values[index];
      const position = index - start + 1;
      let code: number;
      if (typeof value === 'string') {
        const written = writeUtf8(this.encoder, value, heap, offset);
        code = this.bindText(handle, position, this.scratchPointer + offset, written, sqliteStatic);
        offset += written;
      } else if (typeof value === 'number') {
        code = value === (value | 0) ? this.bindInt(handle, position, value) : this.bindDouble(handle, position, value);
      } else code = this.bindBlob(handle, position, 0, 0, sqliteStatic); // a blob at address 0 is NULL, as sql.js binds it
      if (code !== 0) throw new Error(`binding parameter ${position} failed with SQLite code ${code}`);
    }
    return true;
  }

  /** Makes the scratch area at least `bytes` long (and never empty). */
  private reserve(bytes: number): void {
    if (bytes <= this.scratchBytes && this.scratchPointer !== 0) return;
    if (this.scratchPointer !== 0) this.SQL._free(this.scratchPointer);
    this.scratchBytes = Math.max(bytes, scratchBytesMin, this.scratchBytes * 2);
    this.scratchPointer = this.SQL._malloc(this.scratchBytes);
    if (this.scratchPointer === 0) throw new Error(`sql.js could not allocate ${this.scratchBytes} bytes to bind parameters`);
  }
}

/**
 * Writes `text` as UTF-8 at `offset` and returns its length in bytes. ASCII,
 * which nearly every ledger string is, is copied in a loop (a TextEncoder
 * call and its views cost more than a short string takes to copy).
 */
function writeUtf8(encoder: TextEncoder, text: string, heap: Uint8Array, offset: number): number {
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0x80) return encoder.encodeInto(text, heap.subarray(offset)).written;
    heap[offset + index] = unit;
  }
  return text.length;
}

/** UTF-8 takes at most three bytes per UTF-16 code unit (a surrogate pair's four bytes are two units). */
const utf8BytesPerCodeUnitMax = 3;
const scratchBytesMin = 64 * 1024;
const handleProbeSql = 'SELECT 1';
/** WebAssembly addresses below this are sql.js's static data, never a statement; the position field (1) is below it too. */
const firstHeapAddress = 4096;
/** SQLite's SQLITE_STATIC destructor: the text stays where it is until the statement is reset. */
const sqliteStatic = 0;

interface LoadedSqlJs {
  SQL: SqlJsStatic;
  native: NativeSqlite;
  binder: ValueBinder;
}

let sqlJsPromise: Promise<LoadedSqlJs> | null = null;

function loadSqlJs(): Promise<LoadedSqlJs> {
  sqlJsPromise ??= instantiate();
  return sqlJsPromise;
}

/** Loads sql.js's WebAssembly itself (emscripten's instantiateWasm hook) to keep hold of its memory. */
async function instantiate(): Promise<LoadedSqlJs> {
  // The shipped CLI is a CommonJS bundle (scripts/build-cli.mjs), where import.meta is empty and __filename names the bundle.
  const here = typeof __filename === 'string' ? __filename : import.meta.url;
  const wasmBytes = readFileSync(createRequire(here).resolve('sql.js/dist/sql-wasm.wasm'));
  let memory: WebAssembly.Memory | null = null;
  function instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void): WebAssembly.Exports {
    void WebAssembly.instantiate(wasmBytes, imports).then(({ instance }) => {
      memory = Object.values(instance.exports).find((value) => value instanceof WebAssembly.Memory) ?? null;
      done(instance);
    });
    return {};
  }
  const SQL = (await initSqlJs({ instantiateWasm } as Parameters<typeof initSqlJs>[0])) as SqlJsModule;
  if (memory === null) throw new Error('sql.js exports no memory');
  // Older sql.js closed and reopened the database in export(), which would empty an in-memory one.
  if (typeof (SQL as unknown as Record<string, unknown>)._sqlite3_backup_init !== 'function') throw new Error('PayDesk needs sql.js 1.16 or later');
  return { SQL, native: new NativeSqlite(SQL, memory), binder: new ValueBinder(SQL, memory) };
}

/** PRAGMAs for an in-memory database whose durability comes from our own journal. */
const pragmas = [
  'PRAGMA foreign_keys = ON',
  'PRAGMA journal_mode = MEMORY',
  'PRAGMA synchronous = OFF',
  'PRAGMA temp_store = MEMORY',
  // Keeps the lock between transactions, so SQLite stops probing for a hot journal file before each one:
  // with a database file in sql.js every probe was a MEMFS lookup that throws. The in-memory database has
  // no file to probe; the PRAGMA stays so that any database this class opens behaves the same.
  'PRAGMA locking_mode = EXCLUSIVE',
];

/**
 * A thin wrapper over a sql.js database that caches prepared statements and
 * knows the trap in `export()`: sql.js before 1.16 closed and reopened the
 * database there, freeing every statement and resetting every PRAGMA (1.16
 * copies it out through SQLite's backup API instead, which the in-memory
 * database needs). `export` here still frees the statements and re-applies the
 * PRAGMAs, so it is safe either way; statements are prepared again lazily.
 */
export class SqliteDatabase {
  private readonly statements = new Map<string, Statement>();
  private inTransaction = false;

  private constructor(private readonly database: Database, private readonly binder: ValueBinder) {
    binder.learnHandleField(database);
    this.applyPragmas();
  }

  /**
   * Opens a database held in SQLite's own memory (':memory:'), a copy of
   * `bytes` when given. sql.js would keep it as a file in its in-memory file
   * system instead, where every page SQLite writes or reads again is copied
   * between JavaScript and WebAssembly, and the whole file is copied each time
   * it grows by an eighth (hundreds of megabytes at a million payments, a
   * pause a form payment waits behind during a batch). The file's bytes live
   * only as long as the copy takes.
   */
  static async open(bytes?: Uint8Array): Promise<SqliteDatabase> {
    const { SQL, native, binder } = await loadSqlJs();
    const database = new SQL.Database();
    useMemory(database, native);
    if (bytes !== undefined) {
      const file = new SQL.Database(bytes);
      try {
        const pageBytes = file.exec('PRAGMA page_size')[0].values[0][0] as number;
        database.exec(`PRAGMA page_size = ${pageBytes}`);
        native.copy(handleOf(file), handleOf(database));
      } catch (error) {
        database.close();
        throw error;
      } finally {
        file.close();
      }
    }
    return new SqliteDatabase(database, binder);
  }

  /** True when statements bind their values straight into SQLite (ValueBinder); false where this sql.js build hides the handle. */
  get bindsDirectly(): boolean {
    return this.binder.direct;
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
    this.stepOnce(this.statement(sql), params, 0, params.length);
  }

  /** Binds values[start..end) (all of them by default) to a statement, through ValueBinder where it can. */
  private bind(statement: Statement, values: Params, start = 0, end = values.length): void {
    statement.reset();
    if (this.binder.bind(statement, values, start, end)) return;
    statement.bind(start === 0 && end === values.length ? values : values.slice(start, end));
  }

  /** The first row as an object, or undefined. */
  get<T = Row>(sql: string, params: Params = []): T | undefined {
    const statement = this.statement(sql);
    try {
      this.bind(statement, params);
      return statement.step() ? (statement.getAsObject() as T) : undefined;
    } finally {
      statement.reset();
    }
  }

  /** The first column of the first row, or undefined. */
  value(sql: string, params: Params = []): SqlValue | undefined {
    const statement = this.statement(sql);
    try {
      this.bind(statement, params);
      return statement.step() ? statement.get()[0] : undefined;
    } finally {
      statement.reset();
    }
  }

  all<T = Row>(sql: string, params: Params = []): T[] {
    const statement = this.statement(sql);
    const rows: T[] = [];
    try {
      this.bind(statement, params);
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
      this.bind(statement, params);
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
      for (let start = 0; start < fullGroupsEnd; start += groupValues) this.stepOnce(statement, values, start, start + groupValues);
    }
    if (fullGroupsEnd === values.length) return;
    const single = this.statement(`${insert} VALUES ${tuple}`);
    for (let start = fullGroupsEnd; start < values.length; start += width) this.stepOnce(single, values, start, start + width);
  }

  /** Binds values[start..end), steps once and resets: one row-changing statement. */
  private stepOnce(statement: Statement, values: Params, start: number, end: number): void {
    try {
      this.bind(statement, values, start, end);
      statement.step();
    } finally {
      statement.reset();
    }
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

/** sql.js's handle of the SQLite connection (its `db` field, which its typings leave out). */
function handleOf(database: Database): number {
  return (database as unknown as { db: number }).db;
}

/**
 * Points a fresh sql.js database at a new in-memory connection: the handle
 * sql.js opened on its (empty) file is closed and replaced. sql.js's own
 * `close` then closes the in-memory one and removes the empty file.
 */
function useMemory(database: Database, native: NativeSqlite): void {
  const handle = native.open(':memory:');
  native.close(handleOf(database));
  (database as unknown as { db: number }).db = handle;
}
