import { promises as fs, constants as fsConstants } from 'node:fs';
import { writeFileAtomic } from './storage/atomic-file';
import { Journal, readJournal, type JournalEntry } from './storage/journal';
import { SqliteDatabase } from './storage/sqlite';
import { applicationId, schemaStatements, schemaVersion } from './schema';
import { LedgerState } from './ledger-state';
import type { LedgerRecord } from './records';
import { auditRecordFor, type AuditNote } from './audit/audit-trail';

/** Once the live journal file holds this much, a checkpoint folds it into the database file. */
export const checkpointJournalBytes = 64 * 1024 * 1024;

/**
 * While a long operation holds checkpoints back (a batch run), the journal may
 * grow to this before a checkpoint happens anyway. A checkpoint's export is
 * synchronous in sql.js (about a tenth of a second on a million payments), and
 * during a batch that pause would land on a form payment waiting in between.
 */
export const checkpointJournalBytesWhileHeld = 256 * 1024 * 1024;

/** Latencies waiting for a commit are written on their own once traffic has been quiet this long. */
export const latencyFlushDelayMs = 250;

/** Metrics deltas gathered in memory are written to their windows at most this long after a commit. */
export const metricsFlushDelayMs = 200;

const sqliteMagic = 'SQLite format 3\u0000';

/** Raised when a file cannot be opened as a ledger; the file is left untouched. */
export class LedgerOpenError extends Error {}

export interface LedgerStoreOptions {
  /** Checkpoint once the live journal file passes this size (tests set it small to checkpoint often). */
  checkpointJournalBytes?: number;
  /** Called as each checkpoint starts; the crash test uses it to kill a process mid-checkpoint. */
  onCheckpointStart?: () => void;
}

export interface OpenReport {
  replayedRecords: number;
  journalBytes: number;
  checkpointLsn: number;
}

/**
 * The durable ledger: sql.js in memory, a write-ahead journal beside the file,
 * and checkpoints that replace the file atomically.
 *
 * Commit protocol: a change is applied to the in-memory database inside a
 * transaction, then appended to the journal; it is acknowledged once the
 * journal has fdatasync'd it. Recovery loads the file and replays the journal
 * records past the LSN the file was checkpointed at.
 */
export class LedgerStore {
  private checkpointing: Promise<void> | null = null;
  private pendingLatencyPairs: number[] = [];
  private checkpointHolds = 0;
  private latencyFlushTimer: ReturnType<typeof setTimeout> | null = null;
  private metricsFlushTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** The LSN the file on disk holds; a checkpoint with nothing newer is skipped, so reading never rewrites the file. */
  private checkpointedLsn: number;

  private constructor(
    readonly ledgerPath: string,
    readonly database: SqliteDatabase,
    readonly state: LedgerState,
    private readonly journal: Journal,
    readonly openReport: OpenReport,
    private readonly releaseLock: () => Promise<void>,
    private readonly options: LedgerStoreOptions,
  ) {
    this.checkpointedLsn = openReport.checkpointLsn;
  }

  static async open(ledgerPath: string, options: LedgerStoreOptions = {}): Promise<LedgerStore> {
    const releaseLock = await acquireLock(ledgerPath);
    try {
      const database = await loadDatabase(ledgerPath);
      const checkpointLsn = Number(database.value("SELECT value FROM meta WHERE key = 'lsn'") ?? 0);
      const recovered = await readJournal(ledgerPath);
      const pending = entriesAfter(recovered.entries, checkpointLsn);
      const state = new LedgerState(database);
      replay(database, state, pending);
      const lastLsn = pending.length > 0 ? pending[pending.length - 1].lsn : checkpointLsn;
      const journal = await Journal.open(ledgerPath, recovered, lastLsn);
      const report = { replayedRecords: pending.length, journalBytes: recovered.bytesRead, checkpointLsn };
      const store = new LedgerStore(ledgerPath, database, state, journal, report, releaseLock, options);
      if (recovered.entries.length === 0 && checkpointLsn === 0) await store.writeInitialFile();
      return store;
    } catch (error) {
      await releaseLock();
      throw error;
    }
  }

  /**
   * Applies records in one transaction and appends them to the journal. The
   * returned LSN is durable once `whenDurable` resolves; nothing may be
   * acknowledged before that. The audit entry for the change (electron/core/audit)
   * joins the same transaction and journal frame: the change and its entry are
   * applied, replayed or lost together.
   */
  commit(newRecords: LedgerRecord[], audit?: AuditNote): number {
    if (this.closed) throw new Error('the ledger is closed');
    const records = [...this.takePendingLatency(), ...newRecords];
    const auditRecord = auditRecordFor(this.database, newRecords, audit);
    if (auditRecord !== null) records.push(auditRecord);
    try {
      this.database.transaction(() => {
        for (const record of records) this.state.apply(record);
      });
    } catch (error) {
      this.state.reload();
      throw error;
    }
    // One frame for the whole commit: after a crash it is replayed whole or not at all.
    const lsn = this.journal.append(records);
    this.metricsFlushTimer ??= setTimeout(() => this.flushMetricsSoon(), metricsFlushDelayMs);
    this.metricsFlushTimer.unref?.();
    this.maybeCheckpoint();
    return lsn;
  }

  /**
   * Writes the metrics deltas gathered since the last flush to their windows.
   * The deltas derive from records already journaled, so they need no journal
   * of their own: a checkpoint flushes them before it exports, and replay
   * rebuilds the rest. Writing them once per flush rather than once per commit
   * keeps a single payment's commit to its own rows. Readers of the metrics
   * tables call this first, so they never see a stale window.
   */
  flushMetrics(): void {
    if (this.closed || !this.state.metrics.hasPending) return;
    this.database.transaction(() => this.state.metrics.flush());
  }

  private flushMetricsSoon(): void {
    this.metricsFlushTimer = null;
    try {
      this.flushMetrics();
    } catch (error) {
      console.error('paydesk: writing metrics failed', error);
    }
  }

  /**
   * Notes a payment's latency, measured after its acknowledgement. Latencies
   * wait in memory and ride along with the next commit (or checkpoint) as one
   * record: a latency lost in a crash loses a measurement, never money.
   */
  recordLatency(seq: number, pltUs: number): void {
    this.pendingLatencyPairs.push(seq, pltUs);
    this.state.notePendingLatency(seq, pltUs);
    this.latencyFlushTimer ??= setTimeout(() => this.flushQuietLatencies(), latencyFlushDelayMs);
    this.latencyFlushTimer.unref?.();
  }

  /** When no commit came along to carry them, the waiting latencies go in a commit of their own. */
  private flushQuietLatencies(): void {
    this.latencyFlushTimer = null;
    if (this.closed || this.pendingLatencyPairs.length === 0) return;
    try {
      this.commit([]);
    } catch (error) {
      console.error('paydesk: writing measured latencies failed', error);
    }
  }

  /** The same for many payments at once (a batch chunk): pairs of seq and PLT in microseconds. */
  recordLatencies(pairs: readonly number[]): void {
    for (let index = 0; index < pairs.length; index += 2) this.recordLatency(pairs[index], pairs[index + 1]);
  }

  private takePendingLatency(): LedgerRecord[] {
    if (this.pendingLatencyPairs.length === 0) return [];
    const pairs = this.pendingLatencyPairs;
    this.pendingLatencyPairs = [];
    return [{ t: 'latency', pairs }];
  }

  whenDurable(lsn: number): Promise<void> {
    return this.journal.whenDurable(lsn);
  }

  /** Waits until everything committed so far is durable (for answers that repeat an earlier outcome). */
  whenAllDurable(): Promise<void> {
    return this.journal.whenDurable(this.journal.lastAppendedLsn);
  }

  /** Writes the whole database to the file atomically and retires the journal it covers. */
  checkpoint(): Promise<void> {
    this.checkpointing ??= this.runCheckpoint().finally(() => {
      this.checkpointing = null;
    });
    return this.checkpointing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.checkpointing;
    if (this.pendingLatencyPairs.length > 0) this.commit([]);
    if (this.latencyFlushTimer !== null) clearTimeout(this.latencyFlushTimer);
    if (this.metricsFlushTimer !== null) clearTimeout(this.metricsFlushTimer);
    await this.checkpoint();
    this.closed = true;
    await this.journal.close();
    this.database.close();
    await this.releaseLock();
  }

  /**
   * Holds ordinary checkpoints back until the returned release is called (a
   * batch run does this); past `checkpointJournalBytesWhileHeld` they happen anyway.
   */
  holdCheckpoints(): () => void {
    this.checkpointHolds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.checkpointHolds--;
      if (!this.closed) this.maybeCheckpoint();
    };
  }

  private maybeCheckpoint(): void {
    const ordinaryBytes = this.options.checkpointJournalBytes ?? checkpointJournalBytes;
    const limitBytes = this.checkpointHolds > 0 ? Math.max(ordinaryBytes, checkpointJournalBytesWhileHeld) : ordinaryBytes;
    if (this.checkpointing === null && this.journal.bytesInCurrentFile > limitBytes) {
      this.checkpoint().catch((error) => console.error('paydesk: checkpoint failed', error));
    }
  }

  private async writeInitialFile(): Promise<void> {
    this.checkpointedLsn = -1;
    await this.checkpoint();
  }

  private async runCheckpoint(): Promise<void> {
    if (this.pendingLatencyPairs.length > 0) this.commit([]);
    if (this.journal.lastAppendedLsn === this.checkpointedLsn) return;
    this.options.onCheckpointStart?.();
    const { bytes, lsn } = await this.journal.rotate((boundaryLsn) => {
      this.flushMetrics();
      this.database.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('lsn', ?)", [String(boundaryLsn)]);
      return { bytes: this.database.export(), lsn: boundaryLsn };
    });
    await writeFileAtomic(this.ledgerPath, bytes);
    this.checkpointedLsn = lsn;
    await this.journal.retire(lsn);
  }
}

async function loadDatabase(ledgerPath: string): Promise<SqliteDatabase> {
  const bytes = await readIfExists(ledgerPath);
  if (bytes !== null && bytes.length > 0 && bytes.toString('latin1', 0, 16) !== sqliteMagic) {
    throw new LedgerOpenError(`${ledgerPath} is not a PayDesk ledger: it is not an SQLite file.`);
  }
  let database: SqliteDatabase;
  try {
    database = await SqliteDatabase.open(bytes === null || bytes.length === 0 ? undefined : bytes);
  } catch (error) {
    throw new LedgerOpenError(`${ledgerPath} is damaged and cannot be read: ${(error as Error).message}`);
  }
  if (bytes !== null && bytes.length > 0) {
    checkIdentity(database, ledgerPath);
    // Tables added since the file was written are created empty.
    for (const statement of schemaStatements) database.exec(statement);
    movePaymentLatencies(database);
    return database;
  }
  for (const statement of schemaStatements) database.exec(statement);
  database.run("INSERT INTO meta (key, value) VALUES ('application', ?), ('schema_version', ?), ('lsn', '0')", [
    applicationId,
    String(schemaVersion),
  ]);
  return database;
}

/**
 * Files written before payment_latency existed kept each PLT in a plt_us
 * column of payments: those move to the new table once, so no measured
 * latency is lost (the column stays, unused).
 */
function movePaymentLatencies(database: SqliteDatabase): void {
  if (database.value("SELECT 1 FROM pragma_table_info('payments') WHERE name = 'plt_us'") === undefined) return;
  if (database.value('SELECT 1 FROM payment_latency LIMIT 1') !== undefined) return;
  database.transaction(() => {
    database.run('INSERT INTO payment_latency (seq, plt_us) SELECT seq, plt_us FROM payments WHERE plt_us IS NOT NULL');
  });
}

function checkIdentity(database: SqliteDatabase, ledgerPath: string): void {
  let application: unknown;
  try {
    application = database.value("SELECT value FROM meta WHERE key = 'application'");
  } catch {
    application = undefined;
  }
  if (application !== applicationId) {
    database.close();
    throw new LedgerOpenError(`${ledgerPath} is an SQLite file but not a PayDesk ledger.`);
  }
  const version = Number(database.value("SELECT value FROM meta WHERE key = 'schema_version'"));
  if (version > schemaVersion) {
    database.close();
    throw new LedgerOpenError(`${ledgerPath} was written by a newer PayDesk (schema ${version}).`);
  }
}

function entriesAfter(entries: JournalEntry[], checkpointLsn: number): JournalEntry[] {
  const pending: JournalEntry[] = [];
  for (const entry of entries) {
    if (entry.lsn <= checkpointLsn) continue;
    const expected = pending.length === 0 ? entry.lsn : pending[pending.length - 1].lsn + 1;
    if (entry.lsn !== expected) throw new LedgerOpenError(`the journal skips from LSN ${expected - 1} to ${entry.lsn}.`);
    pending.push(entry);
  }
  if (pending.length > 0 && pending[0].lsn !== checkpointLsn + 1) {
    throw new LedgerOpenError(`the journal starts at LSN ${pending[0].lsn} but the file ends at ${checkpointLsn}.`);
  }
  return pending;
}

function replay(database: SqliteDatabase, state: LedgerState, entries: JournalEntry[]): void {
  if (entries.length === 0) return;
  database.transaction(() => {
    for (const entry of entries) for (const record of entry.record as LedgerRecord[]) state.apply(record);
    state.metrics.flush();
  });
}

async function readIfExists(filePath: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LedgerOpenError(`${filePath} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * One process at a time may hold a ledger: a lock file beside it names the
 * holder's pid. A lock left by a process that no longer runs (a crash) is taken over.
 */
export async function acquireLock(ledgerPath: string): Promise<() => Promise<void>> {
  const lockPath = `${ledgerPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fs.open(lockPath, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => fs.rm(lockPath, { force: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new LedgerOpenError(`the folder of ${ledgerPath} does not exist.`);
      if (code !== 'EEXIST') throw new LedgerOpenError(`${ledgerPath} cannot be locked: ${(error as Error).message}`);
      const holder = Number(await fs.readFile(lockPath, 'utf8').catch(() => ''));
      if (Number.isInteger(holder) && holder > 0 && (holder === process.pid || isRunning(holder))) {
        throw new LedgerOpenError(`${ledgerPath} is open in another PayDesk process (pid ${holder}).`);
      }
      await fs.rm(lockPath, { force: true });
    }
  }
  throw new LedgerOpenError(`${ledgerPath} cannot be locked.`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
