import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
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
/**
 * Frames one statement writes at most (two parameters each, under PostgreSQL's
 * 65,535), and the frame counts whose statement is prepared by name: one name
 * each, so a desk keeps a few prepared statements, not one per size it met.
 */
const framesPerWriteMax = 1_000;
const preparedWriteFramesMax = 8;
/**
 * How long a hold may keep the lock to run turns that arrive while its frames
 * are still being committed (a batch's next chunk): they run at once, without
 * letting go of the lock and taking it again, so the chunk is decided while
 * the last one's commit is on the server. Other desks wait at most this long
 * plus a chunk for their turn.
 */
const pipelinedHoldMs = 50;

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

/**
 * The parts of a shared ledger's address that sentences name, with the user and
 * the database as the operator typed them, not percent-encoded (`books 2026`,
 * not `books%202026`); empty where the address has none. Null where the
 * address is not a URL or a name does not decode.
 */
function addressInWords(location: string): { url: URL; user: string; database: string } | null {
  try {
    const url = new URL(location);
    return { url, user: decodeURIComponent(url.username), database: decodeURIComponent(url.pathname.slice(1)) };
  } catch {
    return null;
  }
}

/**
 * The location for sentences: as displayLocation shows it, with the user and
 * the database as the operator typed them (addressInWords). Not a key:
 * displayLocation names folders and files.
 */
export function locationInWords(location: string): string {
  const shown = displayLocation(location);
  const address = isSharedLedgerUrl(shown) ? addressInWords(shown) : null;
  // A name that does not decode is shown as it was given.
  if (address === null) return shown;
  const { url, user, database } = address;
  const credentials = user === '' ? '' : `${user}${url.password === '' ? '' : ':***'}@`;
  return `${url.protocol}//${credentials}${url.host}/${database}${url.search}`;
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
  /** The LSN the snapshot is current to (0 for an image copied in, or none): `entries` are the frames after it. */
  snapshotLsn: number;
  entries: JournalEntry[];
}

/**
 * A snapshot is written when the log read on top of the last one has grown
 * past the snapshot's own size (and at least this much): replay at open stays
 * bounded by about the size of the database, and snapshots cost in proportion
 * to the log they save, however large the ledger grows.
 */
export const snapshotMinLogBytes = 16 * 1024 * 1024;

interface PendingFrame {
  lsn: number;
  records: LedgerRecord[];
}

interface WaitingTurn {
  /** The turn's handler, bound to its caller's async context; runs it with the given turn scope. */
  run: (scope: { active: boolean }) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Waiter {
  lsn: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** PostgreSQL's SQLSTATE for a privilege the role lacks. */
const insufficientPrivilege = '42501';

/**
 * A privilege the role lacks, as a refusal naming the permission PayDesk needs
 * (and the GRANT that gives it); null for any other error.
 */
export function permissionRefusal(error: unknown, location: string): SharedLedgerError | null {
  if ((error as { code?: unknown } | null)?.code !== insufficientPrivilege) return null;
  const role = addressInWords(location)?.user || 'the role in the address';
  const said = (error as Error).message;
  const schema = /permission denied for schema (\S+)/.exec(said)?.[1];
  const needed = schema !== undefined
    ? `CREATE on the schema ${schema} to create PayDesk's tables (GRANT CREATE ON SCHEMA ${schema} TO ${role}), or to own the database`
    : `SELECT and INSERT on PayDesk's tables (paydesk_*) and UPDATE on paydesk_meta (GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO ${role})`;
  return new SharedLedgerError('SHARED_PERMISSION', `The role ${role} may not use the shared ledger at ${locationInWords(location)} ` +
    `(PostgreSQL: ${said}). It needs ${needed}; nothing was changed.`);
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
    throw new SharedLedgerError('SHARED_UNREACHABLE', `The shared ledger at ${locationInWords(location)} cannot be reached: ` +
      `${connectionProblem(error as Error & { code?: string }, location)}. Check the address, the password and that PostgreSQL is running; ` +
      'nothing was changed.');
  }
  client.on('error', () => undefined);
  return client;
}

/** Why a connection failed, in words an operator can act on; the driver's own message where none fits. */
export function connectionProblem(error: Error & { code?: string }, location: string): string {
  // An address that is not a URL keeps the general words.
  const address = addressInWords(location);
  const host = address?.url.hostname || 'the server';
  const port = address?.url.port || '5432';
  const database = address?.database || 'the database';
  const user = address?.user || 'the user';
  switch (error.code) {
    case 'ECONNREFUSED':
      return `nothing answers at ${host} port ${port} (the connection was refused)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the server name ${host} is not known`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} port ${port} cannot be reached from this computer`;
    case '28P01':
    case '28000':
      return `the server refused the user name ${user} or its password`;
    case '3D000':
      return `the server has no database named ${database}`;
    default:
      return /timeout/i.test(error.message) ? `${host} port ${port} did not answer within ${connectTimeoutMs / 1000} s` : error.message;
  }
}

/** Applies the migrations this program knows and the database lacks; refuses a newer database. */
async function migrate(client: pg.Client, location: string, options: SharedOpenOptions): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1, $2)', [lockNamespace, migrationLockId]);
  try {
    const exists = (await client.query("SELECT to_regclass('paydesk_schema') IS NOT NULL AS exists")).rows[0].exists as boolean;
    if (!exists && !options.create) {
      throw new SharedLedgerError('NO_LEDGER', `No ledger is in ${locationInWords(location)}; create one with "paydesk init --db URL".`);
    }
    await client.query('CREATE TABLE IF NOT EXISTS paydesk_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const current = Number((await client.query('SELECT COALESCE(MAX(version), 0) AS version FROM paydesk_schema')).rows[0].version);
    if (current > sharedSchemaVersion) {
      throw new SharedLedgerError('SCHEMA_NEWER', `The shared ledger at ${locationInWords(location)} has schema version ${current}, ` +
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
        `${locationInWords(location)} holds tables named like PayDesk's, but not a PayDesk ledger; nothing was changed.`);
    }
    if (exists && options.mustBeNew === true) {
      throw new SharedLedgerError('LEDGER_EXISTS', `${locationInWords(location)} already holds a ledger; it was left as it is.`);
    }
    if (!exists && !options.create) {
      throw new SharedLedgerError('NO_LEDGER', `No ledger is in ${locationInWords(location)}; create one with "paydesk init --db URL".`);
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

interface LogRow {
  lsn_text: string;
  records: string;
}

/** The log's frames after `afterLsn`, a page at a time; `firstPage` is the first page when the caller already read it. */
async function readLog(client: pg.Client, afterLsn: number, counter?: { bytes: number }, firstPage?: LogRow[]): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  let last = afterLsn;
  let rows = firstPage;
  for (;;) {
    rows ??= (await client.query<LogRow>({ name: 'paydesk-read-log', text: logPageSql('$1'), values: [String(last)] })).rows;
    for (const row of rows) {
      const lsn = Number(row.lsn_text);
      // Only the holder of the turn lock writes, in order: a gap means the log was edited by hand.
      if (lsn !== last + 1) throw new SharedLedgerError('LOG_GAP', `The shared ledger's log jumps from LSN ${last} to ${lsn}; it was changed outside PayDesk.`);
      entries.push({ lsn, record: JSON.parse(row.records) as unknown });
      if (counter !== undefined) counter.bytes += row.records.length;
      last = lsn;
    }
    if (rows.length < catchUpPageFrames) return entries;
    rows = undefined;
  }
}

/** One page of the log after an LSN (a parameter, or a literal where the statement has none). */
function logPageSql(afterLsn: string): string {
  return `SELECT lsn::text AS lsn_text, records FROM paydesk_log WHERE lsn > ${afterLsn} ORDER BY lsn LIMIT ${catchUpPageFrames}`;
}

/**
 * The newest database image and the LSN it is current to, read together (one
 * REPEATABLE READ transaction, so a snapshot replaced meanwhile cannot pair one
 * snapshot's image with another's LSN). The image comes in binary, not as a
 * hex string twice its size.
 */
async function readSnapshot(client: pg.Client): Promise<{ image: Buffer | null; lsn: number }> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  try {
    const lsnRows = await client.query<{ value: string }>("SELECT value FROM paydesk_meta WHERE key = 'snapshot_lsn'");
    // `binary` is a query option of pg that its typings leave out.
    const imageQuery = { text: 'SELECT database FROM paydesk_snapshot WHERE id = 1', binary: true };
    const imageRows = await client.query<{ database: Buffer }>(imageQuery as pg.QueryConfig);
    await client.query('COMMIT');
    const lsn = lsnRows.rows.length === 0 ? 0 : Number(lsnRows.rows[0].value);
    const image = imageRows.rows[0]?.database ?? null;
    if (!Number.isSafeInteger(lsn) || lsn < 0 || (lsn > 0 && image === null)) {
      throw new SharedLedgerError('LOG_GAP', `The shared ledger names a snapshot at LSN ${lsnRows.rows[0]?.value} that it does not hold; ` +
        'it was changed outside PayDesk.');
    }
    return { image, lsn };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Stores `image` as the snapshot current to `lsn`, on a connection of its own
 * (the desk's own connection carries its turns meanwhile). Only a newer
 * snapshot replaces the one held: two desks writing at once leave the newer.
 */
export async function storeSnapshot(location: string, image: Uint8Array, lsn: number): Promise<boolean> {
  const client = await connect(location);
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE paydesk_snapshot IN EXCLUSIVE MODE');
    const held = await client.query<{ value: string }>("SELECT value FROM paydesk_meta WHERE key = 'snapshot_lsn'");
    if (held.rows.length > 0 && Number(held.rows[0].value) >= lsn) {
      await client.query('ROLLBACK');
      return false;
    }
    await client.query(
      `INSERT INTO paydesk_snapshot (id, database, copied_at) VALUES (1, $1, now())
       ON CONFLICT (id) DO UPDATE SET database = EXCLUDED.database, copied_at = EXCLUDED.copied_at`,
      [Buffer.from(image.buffer, image.byteOffset, image.byteLength)],
    );
    await client.query(
      "INSERT INTO paydesk_meta (key, value) VALUES ('snapshot_lsn', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [String(lsn)],
    );
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether the database at `location` already holds a PayDesk ledger. */
export async function sharedLedgerExists(location: string): Promise<boolean> {
  const client = await connect(location);
  try {
    const table = (await client.query("SELECT to_regclass('paydesk_meta') IS NOT NULL AS exists")).rows[0].exists as boolean;
    if (!table) return false;
    return (await client.query("SELECT 1 FROM paydesk_meta WHERE key = 'application'")).rows.length > 0;
  } catch (error) {
    throw permissionRefusal(error, location) ?? error;
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
  /** True during a hold: the turn lock is this process's and appends are allowed. */
  private lockHeld = false;
  /** True between two holds when the first kept the lock for the second, which lets it go and takes it again in one round trip. */
  private lockKept = false;
  /** The newest LSN this process committed and has not yet announced to other desks (announcement()); 0 when none. */
  private notifyThrough = 0;
  private closed = false;
  private turns: Promise<unknown> = Promise.resolve();
  /** Turns asked for and not yet started: they start together, in the next hold of the lock. */
  private waiting: WaitingTurn[] = [];
  private holdQueued = false;
  /** Told when a turn is queued: a hold whose frames are still being committed waits for the next turn or that commit, whichever comes first. */
  private turnQueued: (() => void) | null = null;
  private readonly turnScope = new AsyncLocalStorage<{ active: boolean }>();
  /**
   * How often this process took the turn lock, how many turns those holds ran, and the round trips of holds, commits and
   * unlocks; how many holds it queued, and how many groups of turns ran in a hold already under way (for tests and the bench).
   */
  readonly turnStats = { holds: 0, turns: 0, roundTrips: 0, queued: 0, pipelined: 0 };
  /** Log text on top of the newest snapshot this process knows of, and that snapshot's size. */
  logBytesSinceSnapshot = 0;
  snapshotBytes = 0;
  /** Exports this process's database as it stands between turns (LedgerStore), for a snapshot; null where none is wanted. */
  exportImage: (() => Uint8Array) | null = null;
  /** The least log text on top of a snapshot that makes a new one due (tests set a small one). */
  snapshotMinBytes = snapshotMinLogBytes;
  private snapshotting: Promise<void> | null = null;
  /** Snapshots this process wrote (for tests). */
  snapshotsWritten = 0;
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
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
      const { image, lsn: snapshotLsn } = await readSnapshot(client);
      const counter = { bytes: 0 };
      const entries = await readLog(client, snapshotLsn, counter);
      const log = new PostgresLog(client, location, entries.at(-1)?.lsn ?? snapshotLsn);
      log.logBytesSinceSnapshot = counter.bytes;
      log.snapshotBytes = image?.length ?? 0;
      return { log, snapshot: image, snapshotLsn, entries };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw permissionRefusal(error, location) ?? error;
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
   * across every process: it waits for this process's lock, which it takes
   * and then reads what other desks committed. What the handler appended is
   * committed before the lock is let go. A turn inside a turn just runs.
   *
   * Turns that queue up while the lock is held by this process, or being
   * taken, start together in its next hold: they run as concurrently as on a
   * ledger file, where no turn is taken at all (every handler decides
   * synchronously on the state it sees, so concurrent handlers in one process
   * are already correct there). One hold then serves many payments, and their
   * frames share commits, instead of a lock, a catch-up and a commit each. A
   * turn that arrives during a hold waits for the next one (except while the
   * hold's frames are still being committed, for up to pipelinedHoldMs:
   * runGroups), so a busy desk lets go of the lock between holds and other
   * desks get their turn.
   *
   * Each handler runs in its own caller's async context (its action scope,
   * which names the operator in the audit entry), not in that of the turn
   * that happened to queue the hold.
   */
  turn<T>(handler: () => Promise<T>): Promise<T> {
    if (this.turnScope.getStore()?.active === true) return handler();
    const run = AsyncResource.bind((scope: { active: boolean }) => this.turnScope.run(scope, handler));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.turnQueued?.();
      if (this.holdQueued) return;
      this.holdQueued = true;
      this.turnStats.queued++;
      const hold = this.turns.then(() => this.runHold());
      this.turns = hold.catch(() => undefined);
    });
  }

  /** Runs `work` outside any turn it was started from (background work that takes its own turns). */
  outsideTurn<T>(work: () => T): T {
    return this.turnScope.exit(work);
  }

  private async runHold(): Promise<void> {
    // The turns that queued this hold already ran in the one before, which kept the lock for them (runGroups).
    if (this.waiting.length === 0) {
      this.holdQueued = false;
      return;
    }
    if (this.failedWith !== null || this.closed) return this.refuseHold(this.failedWith ?? new Error('the ledger is closed'));
    try {
      await this.takeLockAndCatchUp();
    } catch (error) {
      return this.refuseHold(this.fail(error as Error));
    }
    this.turnStats.holds++;
    const committedByHandlers = await this.runGroups();
    // The frames of the hold are all committed before the lock goes, so the next holder reads them.
    await this.flushAll().catch(() => undefined);
    // A caller that goes on at once (the next payment of a busy desk) asks for its turn within this tick. Then the
    // next hold lets go of the lock and takes it again in one round trip, instead of this one letting go in one more.
    // Only where the handlers had their frames committed themselves: a hold that ends with frames to commit (a batch
    // chunk) lets go after that commit, so a desk busy with a batch leaves the lock free between its chunks.
    await yieldToEventLoop();
    if (committedByHandlers && this.waiting.length > 0 && this.failedWith === null && !this.closed) {
      this.lockHeld = false;
      this.lockKept = true;
    } else {
      await this.unlock();
    }
    this.snapshotIfDue();
  }

  /** Refuses the turns waiting for a hold that cannot run (the ledger failed or closed), and lets the lock go if it is held. */
  private async refuseHold(reason: Error): Promise<void> {
    this.holdQueued = false;
    for (const waiting of this.waiting.splice(0)) waiting.reject(reason);
    await this.unlock();
  }

  /**
   * Runs every turn that asked before the lock was ours; later ones wait for
   * the next hold, except while this hold's frames are still being committed
   * (a batch chunk, whose handler does not wait for them) and the hold is
   * younger than pipelinedHoldMs: a turn that arrives then (the next chunk)
   * runs at once, its frames queued behind the ones on the wire. Returns
   * whether the handlers had their frames committed themselves.
   */
  private async runGroups(): Promise<boolean> {
    const heldSinceMs = performance.now();
    for (let first = true; ; first = false) {
      const group = this.waiting.splice(0);
      // Later turns queue the next hold; the turns this hold takes over from it leave it queued (and it finds none).
      if (first) this.holdQueued = false;
      this.turnStats.turns += group.length;
      const scope = { active: true };
      const settled = await Promise.allSettled(group.map((waiting) => waiting.run(scope)));
      scope.active = false;
      // Each turn is answered when its handler is done, as on a ledger file, where no turn is taken: a handler that
      // acknowledges an outcome waits for its frames to be durable itself (whenDurable), so nothing is answered early.
      // A batch run so reads and checks its next chunk while this one's frames are being committed.
      settled.forEach((outcome, index) => {
        if (outcome.status === 'fulfilled') group[index].resolve(outcome.value);
        else group[index].reject(outcome.reason);
      });
      const committing = this.flushing;
      if (committing === null && this.pending.length === 0) return true;
      if (committing === null || performance.now() - heldSinceMs >= pipelinedHoldMs || this.failedWith !== null || this.closed) return false;
      if (this.waiting.length === 0 && !(await this.nextTurnBefore(committing))) return false;
      if (this.failedWith !== null || this.closed) return false;
      this.turnStats.pipelined++;
    }
  }

  /** Whether a turn is queued before `committing` settles. */
  private async nextTurnBefore(committing: Promise<void>): Promise<boolean> {
    const queued = new Promise<boolean>((resolve) => (this.turnQueued = () => resolve(true)));
    try {
      return await Promise.race([queued, committing.then(() => false, () => false)]);
    } finally {
      this.turnQueued = null;
    }
  }

  /**
   * Takes the turn lock and reads the first page of what other desks committed
   * since this process last looked, in one round trip (one simple query of
   * several statements; under READ COMMITTED each statement reads with a
   * snapshot of its own, so the read sees every commit made before the lock
   * was ours). A lock kept from the hold before is let go first, in the same
   * round trip: a desk waiting for it is granted it then, and this one waits
   * behind it, as with an unlock of its own.
   */
  private async takeLockAndCatchUp(): Promise<void> {
    // The announcement commits on its own (BEGIN ... COMMIT) before the lock is waited for, so other desks hear of it now.
    const announce = this.notifyThrough === 0 ? '' : `BEGIN; ${this.announcement()}; COMMIT; `;
    const release = this.lockKept ? `SELECT pg_advisory_unlock(${lockNamespace}, ${turnLockId}); ` : '';
    this.lockKept = false;
    // From here the lock may be held, whatever the query answers: a failure lets it go (unlock) as for any held lock.
    this.lockHeld = true;
    const sql = `${announce}${release}SELECT pg_advisory_lock(${lockNamespace}, ${turnLockId}); ${logPageSql(String(this.lastLsn))}`;
    this.turnStats.roundTrips++;
    const results = await this.client.query<LogRow>(sql) as unknown as pg.QueryResult<LogRow>[];
    await this.catchUp(results[results.length - 1].rows);
  }

  /**
   * The NOTIFY that tells other desks' screens of this process's commits,
   * through its newest LSN. It is not part of the commit it announces:
   * PostgreSQL serialises the commits of transactions that notify (a lock on
   * the notification queue held through the WAL flush), which added a
   * millisecond to the slowest commits. It rides instead on the next statement
   * this process sends anyway, the unlock or the next lock, after the commit is
   * durable and the caller answered. A desk that dies in between leaves the
   * others to learn of the frames at their next turn, which reads the log.
   */
  private announcement(): string {
    const sql = `SELECT pg_notify('${sharedNotifyChannel}', '${this.notifyThrough}')`;
    this.notifyThrough = 0;
    return sql;
  }

  /**
   * Writes a snapshot when the log on top of the last one has outgrown it
   * (snapshotMinLogBytes). The image is exported between holds, when this
   * process's database is exactly the log up to its last LSN (every frame it
   * appended is committed before its hold ends); it is stored on a connection
   * of its own while turns go on. A failed snapshot changes nothing: the log
   * still holds every frame, and the next hold tries again.
   */
  private snapshotIfDue(): void {
    if (this.exportImage === null || this.snapshotting !== null || this.closed || this.failedWith !== null) return;
    if (this.logBytesSinceSnapshot < Math.max(this.snapshotMinBytes, this.snapshotBytes)) return;
    this.snapshotting = this.snapshotNow().catch((error: unknown) => {
      console.error(`paydesk: a snapshot of the shared ledger was not written (${(error as Error).message}); the log still holds every frame.`);
    }).finally(() => {
      this.snapshotting = null;
    });
  }

  /** Exports between holds and stores the snapshot; resolves once it is stored (or a newer one was). */
  async snapshotNow(): Promise<void> {
    const exportImage = this.exportImage;
    if (exportImage === null) return;
    const taken = this.turns.then(() => {
      if (this.closed || this.failedWith !== null) return null;
      return { image: exportImage(), lsn: this.lastLsn, logBytes: this.logBytesSinceSnapshot };
    });
    this.turns = taken.catch(() => undefined);
    const snapshot = await taken;
    if (snapshot === null || snapshot.lsn === 0) return;
    const stored = await storeSnapshot(this.location, snapshot.image, snapshot.lsn);
    if (stored) this.snapshotsWritten++;
    this.logBytesSinceSnapshot -= snapshot.logBytes;
    this.snapshotBytes = snapshot.image.length;
  }

  private async unlock(): Promise<void> {
    if (!this.lockHeld && !this.lockKept) return;
    this.lockHeld = false;
    this.lockKept = false;
    const announce = this.notifyThrough === 0 ? '' : `; ${this.announcement()}`;
    this.turnStats.roundTrips++;
    await this.client.query(`SELECT pg_advisory_unlock(${lockNamespace}, ${turnLockId})${announce}`).catch(() => undefined);
  }

  private async catchUp(firstPage?: LogRow[]): Promise<boolean> {
    const counter = { bytes: 0 };
    const entries = await readLog(this.client, this.lastLsn, counter, firstPage);
    this.logBytesSinceSnapshot += counter.bytes;
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
      const frames = this.pending.splice(0, framesPerWriteMax);
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
   * The frames and their payment ids as one statement: one round trip and one
   * transaction, acknowledged by the caller only after it returns (autocommit
   * with synchronous_commit on: the COMMIT is durable). Other desks hear of it
   * from the announcement that follows (announcement()).
   * Each frame's text is a parameter of its own, not an element of an array:
   * in an array literal pg escapes every quote of the JSON and the server
   * parses it back (a chunk of 1,000 batch rows is 200 KB of text). The
   * statement for a few frames (a payment's commit is one) is prepared once
   * per connection, so the server parses and plans it once.
   */
  private async write(frames: PendingFrame[]): Promise<void> {
    const rows = frames.flatMap((frame) => paymentRowsOf(frame.records).map((row) => ({ row, lsn: frame.lsn })));
    const texts = frames.map((frame) => JSON.stringify(frame.records));
    for (const text of texts) this.logBytesSinceSnapshot += text.length;
    this.turnStats.roundTrips++;
    const frameValues = frames.map((_, index) => `($${8 + index * 2}::bigint, $${9 + index * 2}::text)`).join(', ');
    await this.client.query({
      name: frames.length <= preparedWriteFramesMax ? `paydesk-write-${frames.length}` : undefined,
      text: `WITH log AS (INSERT INTO paydesk_log (lsn, records) VALUES ${frameValues})
       INSERT INTO paydesk_payments (payment_id, seq, amount_minor, currency, accepted, code, lsn)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::boolean[], $6::text[], $7::bigint[])`,
      values: [
        ...paymentColumns(rows.map((entry) => entry.row)), rows.map((entry) => String(entry.lsn)),
        ...frames.flatMap((frame, index) => [String(frame.lsn), texts[index]]),
      ],
    });
    this.notifyThrough = frames[frames.length - 1].lsn;
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
  listen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.listening ??= this.startListening();
    return this.listening;
  }

  private async startListening(): Promise<void> {
    const listener = await connect(this.location);
    // Closed while connecting: a connection kept now would hold the process open for ever.
    if (this.closed) {
      await listener.end().catch(() => undefined);
      return;
    }
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
    await this.snapshotting;
    await this.flushAll().catch(() => undefined);
    this.closed = true;
    for (const waiter of this.waiters) waiter.reject(new Error('the ledger is closed'));
    this.waiters = [];
    await this.listening?.catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}
