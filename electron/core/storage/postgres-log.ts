import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { LedgerRecord, PaymentRow } from '../records';
import type { JournalEntry } from './journal';
import { LedgerOpenError } from './ledger-open-error';
import { batchFileTables, SharedBatches } from './postgres-batches';

/**
 * A shared ledger in PostgreSQL (docs/architecture.md, "Storage back ends").
 *
 * PostgreSQL holds the ledger's log: every commit's records, in LSN order, in
 * `paydesk_log`, optionally on top of a database image in `paydesk_snapshot`
 * (a file ledger copied in). Each process keeps the same in-memory sql.js
 * database as the file back end and brings it up to date from the log. A
 * change is made only inside a turn: the process holds a PostgreSQL advisory
 * lock, has read every frame other desks committed, decides against that
 * current state, and writes its frames in one transaction. An outcome is
 * acknowledged only after that COMMIT. `paydesk_payments` repeats each
 * payment's id under a primary key, so the database itself refuses a payment
 * id paid twice, whatever a process believes.
 */

/** The schema version this program writes; a database that is newer is refused. */
export const sharedSchemaVersion = 2;

/** Advisory lock keys: (namespace, id) pairs, so other applications' locks do not collide with ours. */
const lockNamespace = 0x5044;
const turnLockId = 1;
const migrationLockId = 2;

/** The channel commits announce themselves on (LISTEN/NOTIFY), with the last LSN as payload. */
export const sharedNotifyChannel = 'paydesk_ledger';

/** Frames read from the log in one query while catching up. */
const catchUpPageFrames = 2_000;

/** How long a connection attempt may take before the open is refused. */
const connectTimeoutMs = 10_000;

const migrations: readonly (readonly string[])[] = [
  [
    `CREATE TABLE paydesk_meta (key text PRIMARY KEY, value text NOT NULL)`,
    `CREATE TABLE paydesk_snapshot (id integer PRIMARY KEY CHECK (id = 1), database bytea NOT NULL, copied_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE paydesk_log (lsn bigint PRIMARY KEY CHECK (lsn > 0), records text NOT NULL, committed_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE paydesk_payments (payment_id text PRIMARY KEY, seq bigint NOT NULL UNIQUE, amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
      currency text NOT NULL, accepted boolean NOT NULL, code text NOT NULL, lsn bigint NOT NULL)`,
  ],
  // 2: batch files kept in the database, so a desk that did not import a batch can resume it (postgres-batches.ts).
  batchFileTables,
];

export function isSharedLedgerUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The location without its password, for messages and screens. */
export function displayLocation(location: string): string {
  if (!isSharedLedgerUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unreadable address)';
  }
}

/** A shared-ledger refusal with a stable code beside its sentence. */
export class SharedLedgerError extends LedgerOpenError {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface SharedOpenOptions {
  /** Create the ledger's tables when the database holds none. */
  create: boolean;
  /** Refuse a database that already holds a ledger (`paydesk init`, `paydesk copy`). */
  mustBeNew?: boolean;
  /** The database image a new shared ledger starts from (`paydesk copy` from a file). */
  snapshot?: Uint8Array;
  /** Payments already in the snapshot, so that their ids are taken. */
  snapshotPayments?: readonly PaymentRow[];
}

export interface SharedOpened {
  log: PostgresLog;
  snapshot: Uint8Array | null;
  entries: JournalEntry[];
}

interface PendingFrame {
  lsn: number;
  records: LedgerRecord[];
}

interface Waiter {
  lsn: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

async function connect(location: string): Promise<pg.Client> {
  // Loaded only when a shared ledger is opened, so a command on a file starts as fast as before.
  const { default: postgres } = await import('pg');
  const client = new postgres.Client({ connectionString: location, connectionTimeoutMillis: connectTimeoutMs });
  try {
    await client.connect();
    // An outcome is acknowledged after COMMIT returns, so COMMIT must wait for the server's WAL flush.
    await client.query('SET synchronous_commit = on');
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new SharedLedgerError('SHARED_UNREACHABLE', `The shared ledger at ${displayLocation(location)} cannot be reached: ` +
      `${(error as Error).message}. Check the address, the password and that PostgreSQL is running; nothing was changed.`);
  }
  client.on('error', () => undefined);
  return client;
}

/** Applies the migrations this program knows and the database lacks; refuses a newer database. */
async function migrate(client: pg.Client, location: string, options: SharedOpenOptions): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1, $2)', [lockNamespace, migrationLockId]);
  try {
    const exists = (await client.query("SELECT to_regclass('paydesk_schema') IS NOT NULL AS exists")).rows[0].exists as boolean;
    if (!exists && !options.create) {
      throw new SharedLedgerError('NO_LEDGER', `No ledger is in ${displayLocation(location)}; create one with "paydesk init --db URL".`);
    }
    await client.query('CREATE TABLE IF NOT EXISTS paydesk_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const current = Number((await client.query('SELECT COALESCE(MAX(version), 0) AS version FROM paydesk_schema')).rows[0].version);
    if (current > sharedSchemaVersion) {
      throw new SharedLedgerError('SCHEMA_NEWER', `The shared ledger at ${displayLocation(location)} has schema version ${current}, ` +
        `newer than this PayDesk understands (${sharedSchemaVersion}). Update PayDesk; nothing was changed.`);
    }
    for (let version = current + 1; version <= sharedSchemaVersion; version++) {
      await client.query('BEGIN');
      try {
        for (const statement of migrations[version - 1]) await client.query(statement);
        await client.query('INSERT INTO paydesk_schema (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [lockNamespace, migrationLockId]).catch(() => undefined);
  }
}

/** Marks a new ledger (and stores a copied-in image), or refuses one that exists when it must be new. */
async function claimLedger(client: pg.Client, location: string, applicationId: string, options: SharedOpenOptions): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('LOCK TABLE paydesk_meta IN EXCLUSIVE MODE');
    const found = await client.query("SELECT value FROM paydesk_meta WHERE key = 'application'");
    const exists = found.rows.length > 0;
    if (exists && found.rows[0].value !== applicationId) {
      throw new SharedLedgerError('NOT_A_LEDGER',
        `${displayLocation(location)} holds tables named like PayDesk's, but not a PayDesk ledger; nothing was changed.`);
    }
    if (exists && options.mustBeNew === true) {
      throw new SharedLedgerError('LEDGER_EXISTS', `${displayLocation(location)} already holds a ledger; it was left as it is.`);
    }
    if (!exists && !options.create) {
      throw new SharedLedgerError('NO_LEDGER', `No ledger is in ${displayLocation(location)}; create one with "paydesk init --db URL".`);
    }
    if (!exists) {
      await client.query("INSERT INTO paydesk_meta (key, value) VALUES ('application', $1), ('created_at', now()::text)", [applicationId]);
      if (options.snapshot !== undefined) {
        await client.query('INSERT INTO paydesk_snapshot (id, database) VALUES (1, $1)', [Buffer.from(options.snapshot)]);
        await insertPaymentIds(client, options.snapshotPayments ?? [], 0);
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Payment columns as arrays for unnest; amounts and seqs travel as decimal strings, never as floats. */
function paymentColumns(rows: readonly PaymentRow[]): [string[], string[], string[], string[], boolean[], string[]] {
  return [
    rows.map((row) => row.id), rows.map((row) => String(row.seq)), rows.map((row) => String(row.a)), rows.map((row) => row.cur),
    rows.map((row) => row.s === 1), rows.map((row) => row.code),
  ];
}

async function insertPaymentIds(client: pg.Client, rows: readonly PaymentRow[], lsn: number): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO paydesk_payments (payment_id, seq, amount_minor, currency, accepted, code, lsn)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::boolean[], $6::text[], $7::bigint[])`,
    [...paymentColumns(rows), rows.map(() => String(lsn))],
  );
}

function paymentRowsOf(records: readonly LedgerRecord[]): PaymentRow[] {
  return records.flatMap((record) => (record.t === 'payments' ? record.rows : []));
}

async function readLog(client: pg.Client, afterLsn: number): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  let last = afterLsn;
  for (;;) {
    const page = await client.query<{ lsn_text: string; records: string }>(
      'SELECT lsn::text AS lsn_text, records FROM paydesk_log WHERE lsn > $1 ORDER BY lsn LIMIT $2', [String(last), catchUpPageFrames],
    );
    for (const row of page.rows) {
      const lsn = Number(row.lsn_text);
      // Only the holder of the turn lock writes, in order: a gap means the log was edited by hand.
      if (lsn !== last + 1) throw new SharedLedgerError('LOG_GAP', `The shared ledger's log jumps from LSN ${last} to ${lsn}; it was changed outside PayDesk.`);
      entries.push({ lsn, record: JSON.parse(row.records) as unknown });
      last = lsn;
    }
    if (page.rows.length < catchUpPageFrames) return entries;
  }
}

/** Whether the database at `location` already holds a PayDesk ledger. */
export async function sharedLedgerExists(location: string): Promise<boolean> {
  const client = await connect(location);
  try {
    const table = (await client.query("SELECT to_regclass('paydesk_meta') IS NOT NULL AS exists")).rows[0].exists as boolean;
    if (!table) return false;
    return (await client.query("SELECT 1 FROM paydesk_meta WHERE key = 'application'")).rows.length > 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The log writer and turn keeper of one process on a shared ledger. It has
 * the shape of the file journal where the store uses one (append, whenDurable)
 * and adds the turn.
 */
export class PostgresLog {
  onFailure: (error: Error) => void = () => undefined;
  /** Applies frames other desks committed to this process's memory. */
  applyRemote: (entries: JournalEntry[]) => void = () => undefined;
  private lastLsn: number;
  private durableLsn: number;
  private pending: PendingFrame[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private failedWith: Error | null = null;
  private lockHeld = false;
  private closed = false;
  private turns: Promise<unknown> = Promise.resolve();
  private readonly turnScope = new AsyncLocalStorage<{ active: boolean }>();
  private listener: pg.Client | null = null;
  private readonly remoteListeners = new Set<() => void>();
  /** Batch files and batch claims, on this desk's connection (its claims end with it). */
  readonly batches: SharedBatches;

  private constructor(private readonly client: pg.Client, readonly location: string, lastLsn: number) {
    this.lastLsn = lastLsn;
    this.durableLsn = lastLsn;
    this.batches = new SharedBatches(client);
  }

  static async open(location: string, applicationId: string, options: SharedOpenOptions): Promise<SharedOpened> {
    const client = await connect(location);
    try {
      await migrate(client, location, options);
      await claimLedger(client, location, applicationId, options);
      const snapshotRows = await client.query<{ database: Buffer }>('SELECT database FROM paydesk_snapshot WHERE id = 1');
      const entries = await readLog(client, 0);
      const log = new PostgresLog(client, location, entries.at(-1)?.lsn ?? 0);
      return { log, snapshot: snapshotRows.rows[0]?.database ?? null, entries };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  get durableThrough(): number {
    return this.durableLsn;
  }

  get lastAppendedLsn(): number {
    return this.lastLsn;
  }

  /**
   * Runs `handler` with this process's memory current and the ledger to itself
   * across every process: turns queue in this process, then take the advisory
   * lock and read what other desks committed. What the handler appended is
   * committed before the lock is let go. A turn inside a turn just runs.
   */
  turn<T>(handler: () => Promise<T>): Promise<T> {
    if (this.turnScope.getStore()?.active === true) return handler();
    const run = this.turns.then(() => this.runTurn(handler));
    this.turns = run.catch(() => undefined);
    return run;
  }

  /** Runs `work` outside any turn it was started from (background work that takes its own turns). */
  outsideTurn<T>(work: () => T): T {
    return this.turnScope.exit(work);
  }

  private async runTurn<T>(handler: () => Promise<T>): Promise<T> {
    if (this.failedWith !== null) throw this.failedWith;
    if (this.closed) throw new Error('the ledger is closed');
    const scope = { active: true };
    try {
      await this.client.query('SELECT pg_advisory_lock($1, $2)', [lockNamespace, turnLockId]);
      this.lockHeld = true;
      await this.catchUp();
    } catch (error) {
      throw this.fail(error as Error);
    }
    try {
      return await this.turnScope.run(scope, handler);
    } finally {
      scope.active = false;
      await this.flushAll().catch(() => undefined);
      this.lockHeld = false;
      await this.client.query('SELECT pg_advisory_unlock($1, $2)', [lockNamespace, turnLockId]).catch(() => undefined);
    }
  }

  private async catchUp(): Promise<boolean> {
    const entries = await readLog(this.client, this.lastLsn);
    if (entries.length === 0) return false;
    this.applyRemote(entries);
    this.lastLsn = entries[entries.length - 1].lsn;
    this.durableLsn = this.lastLsn;
    return true;
  }

  append(records: unknown): number {
    if (this.failedWith !== null) throw this.failedWith;
    if (!this.lockHeld) throw new Error('A change to a shared ledger was made outside a turn (LedgerStore.turn); it was not recorded.');
    const lsn = ++this.lastLsn;
    this.pending.push({ lsn, records: records as LedgerRecord[] });
    return lsn;
  }

  whenDurable(lsn: number): Promise<void> {
    if (lsn <= this.durableLsn) return Promise.resolve();
    if (this.failedWith !== null) return Promise.reject(this.failedWith);
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ lsn, resolve, reject });
      this.startFlush();
    });
  }

  private startFlush(): void {
    this.flushing ??= this.flushLoop().finally(() => {
      this.flushing = null;
      if (this.pending.length > 0 && this.waiters.length > 0) this.startFlush();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0 && this.failedWith === null) {
      const frames = this.pending.splice(0);
      try {
        await this.write(frames);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      this.durableLsn = frames[frames.length - 1].lsn;
      this.waiters = this.waiters.filter((waiter) => {
        if (waiter.lsn > this.durableLsn) return true;
        waiter.resolve();
        return false;
      });
    }
  }

  /** Commits everything appended so far. */
  async flushAll(): Promise<void> {
    while (this.pending.length > 0 || this.flushing !== null) {
      this.startFlush();
      await this.flushing;
      if (this.failedWith !== null) throw this.failedWith;
    }
    if (this.failedWith !== null) throw this.failedWith;
  }

  /**
   * The frames, their payment ids and the notification as one statement: one
   * round trip and one transaction, acknowledged by the caller only after it
   * returns (autocommit with synchronous_commit on: the COMMIT is durable).
   */
  private async write(frames: PendingFrame[]): Promise<void> {
    const rows = frames.flatMap((frame) => paymentRowsOf(frame.records).map((row) => ({ row, lsn: frame.lsn })));
    await this.client.query(
      `WITH log AS (INSERT INTO paydesk_log (lsn, records) SELECT * FROM unnest($1::bigint[], $2::text[])),
       ids AS (INSERT INTO paydesk_payments (payment_id, seq, amount_minor, currency, accepted, code, lsn)
         SELECT * FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::boolean[], $8::text[], $9::bigint[]))
       SELECT pg_notify($10, $11)`,
      [
        frames.map((frame) => String(frame.lsn)), frames.map((frame) => JSON.stringify(frame.records)),
        ...paymentColumns(rows.map((entry) => entry.row)), rows.map((entry) => String(entry.lsn)),
        sharedNotifyChannel, String(frames[frames.length - 1].lsn),
      ],
    );
  }

  private fail(error: Error): Error {
    if (this.failedWith !== null) return this.failedWith;
    this.failedWith = error;
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters = [];
    this.onFailure(error);
    return error;
  }

  /**
   * Listens for other desks' commits (LISTEN/NOTIFY) and brings memory up to
   * date between turns, so their changes reach this process's screens live.
   */
  async listen(): Promise<void> {
    if (this.listener !== null || this.closed) return;
    const listener = await connect(this.location);
    this.listener = listener;
    listener.on('notification', (message) => {
      if (Number(message.payload) > this.lastLsn) this.refresh();
    });
    await listener.query(`LISTEN ${sharedNotifyChannel}`);
  }

  onRemoteChange(listener: () => void): () => void {
    this.remoteListeners.add(listener);
    return () => this.remoteListeners.delete(listener);
  }

  /** Reads new frames in the queue of turns (the log only grows, in order, so no lock is needed to read it). */
  private refresh(): void {
    const run = this.turns.then(async () => {
      if (this.closed || this.failedWith !== null) return;
      const changed = await this.catchUp().catch(() => false);
      if (changed) for (const listener of this.remoteListeners) listener();
    });
    this.turns = run.catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.turns;
    await this.flushAll().catch(() => undefined);
    this.closed = true;
    for (const waiter of this.waiters) waiter.reject(new Error('the ledger is closed'));
    this.waiters = [];
    await this.listener?.end().catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}
