import { removeTemporaryFiles, writeFileAtomic } from './storage/atomic-file';
import { errorCode, nodeFileSystem, type StorageFileSystem } from './storage/file-system';
import { Journal, JournalWriteError, listJournalFiles, readJournal, type JournalEntry, type RecoveredJournal } from './storage/journal';
import { decodeJournalFile } from './storage/journal-format';
import { acquireLedgerLock, ReadOnlyFolderError, type LedgerLock } from './storage/ledger-lock';
import { LedgerOpenError, restoreAdvice } from './storage/ledger-open-error';
import { entryFor, manifestPath, matchingEntry, readManifest, writeManifest, type CheckpointEntry } from './storage/manifest';
import { SqliteDatabase } from './storage/sqlite';
import { displayLocation, isSharedLedgerUrl, PostgresLog } from './storage/postgres-log';
import type { SharedBatches } from './storage/postgres-batches';
import { applicationId, schemaStatements, schemaVersion } from './schema';
import { LedgerState } from './ledger-state';
import type { LedgerRecord, PaymentRow } from './records';
import { auditRecordFor, type AuditNote } from './audit/audit-trail';

export { LedgerOpenError } from './storage/ledger-open-error';

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
/** Ledger files written with a manifest say so in meta; one without a manifest then is missing its manifest. */
const storageFormat = 2;

export interface LedgerStoreOptions {
  /** Checkpoint once the live journal file passes this size (tests set it small to checkpoint often). */
  checkpointJournalBytes?: number;
  /** Called as each checkpoint starts; the crash test uses it to kill a process mid-checkpoint. */
  onCheckpointStart?: () => void;
  /** The file layer (the tests put a fault-injecting one here). */
  files?: StorageFileSystem;
  /** Create a new ledger when none is at the path (`paydesk init`, the desktop's first start). Default: refuse. */
  create?: boolean;
  /** The database a new ledger starts from (a restored backup); a new empty ledger when absent. */
  initialBytes?: Uint8Array;
  /**
   * 'auto': open read-only when the folder cannot be written (read-only media);
   * 'always': never lock, write or checkpoint. Default: read-write or refuse.
   */
  readOnly?: 'auto' | 'always';
  /** False only where one process simulates many (the fault-injection test). */
  lock?: boolean;
  /** A shared ledger (PostgreSQL) only: refuse a database that already holds one (`paydesk init`, `paydesk copy`). */
  mustBeNew?: boolean;
  /** A shared ledger only: the least log text on top of its snapshot that makes a new one due (postgres-log.ts); tests set a small one. */
  snapshotLogBytes?: number;
}

export interface OpenReport {
  replayedRecords: number;
  journalBytes: number;
  checkpointLsn: number;
  /** How long hashing the ledger file against its manifest took. */
  checksumMs: number;
  /** Temporary files an earlier failed write left, removed at this open. */
  removedTemporaryFiles: string[];
}

export interface CloseReport {
  /** True when the ledger file now holds everything (a backup may copy it). */
  checkpointed: boolean;
  /** Set when the final checkpoint failed: the journal stays the durable record. */
  warning: string | null;
}

/** The engine stopped taking work after a write failed; `sentence` says what happened and what to do. */
export class LedgerStoppedError extends Error {
  constructor(readonly sentence: string) {
    super(sentence);
  }
}

/** A change was asked of a ledger opened read-only. */
export class ReadOnlyLedgerError extends Error {}

/** The words for a failed write: what happened, what to do, and that nothing acknowledged is lost. */
export function describeWriteFailure(ledgerPath: string, error: unknown): string {
  const code = errorCode(error) ?? (error as JournalWriteError | undefined)?.code;
  const what =
    code === 'ENOSPC' || code === 'EDQUOT' ? `The disk holding ${ledgerPath} is full. Free space, then reopen the ledger.`
    : code === 'EIO' ? `The disk holding ${ledgerPath} reported an input/output error. Check the disk, then reopen the ledger.`
    : code === 'EROFS' ? `The disk holding ${ledgerPath} has become read-only. Make it writable, then reopen the ledger.`
    : code === 'EPERM' || code === 'EACCES' ? `PayDesk may not write ${ledgerPath} or the files beside it ` +
      `(${code}). Fix the permissions, then reopen the ledger.`
    : `Writing ${ledgerPath} failed (${(error as Error | undefined)?.message ?? String(error)}). Reopen the ledger once the cause is fixed.`;
  return `${what} PayDesk stopped taking work so that it never reports an outcome that is not on disk; nothing acknowledged is lost.`;
}

/**
 * The durable ledger: sql.js in memory, a write-ahead journal beside the file,
 * checkpoints that replace the file atomically, and a manifest holding each
 * checkpoint's checksum. docs/durability.md explains how open decides.
 *
 * Commit protocol: a change is applied to the in-memory database inside a
 * transaction, then appended to the journal; it is acknowledged once the
 * journal has fdatasync'd it. The first write or sync that fails stops the
 * store (fail-stop): memory may then be ahead of the disk, so nothing more is
 * committed, read or checkpointed from it; reopening recovers from the disk.
 */
export class LedgerStore {
  private checkpointing: Promise<void> | null = null;
  private closing: Promise<CloseReport> | null = null;
  private pendingLatencyPairs: number[] = [];
  private checkpointHolds = 0;
  private latencyFlushTimer: ReturnType<typeof setTimeout> | null = null;
  private metricsFlushTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private stoppedBy: LedgerStoppedError | null = null;
  private readonly stopListeners = new Set<(error: LedgerStoppedError) => void>();
  /** The LSN the file on disk holds; a checkpoint with nothing newer is skipped, so reading never rewrites the file. */
  private checkpointedLsn: number;

  private constructor(
    readonly ledgerPath: string,
    readonly database: SqliteDatabase,
    readonly state: LedgerState,
    private readonly journal: Journal | null,
    readonly openReport: OpenReport,
    private readonly lock: LedgerLock | null,
    private readonly files: StorageFileSystem,
    private currentEntry: CheckpointEntry | null,
    private readonly options: LedgerStoreOptions,
    /** The PostgreSQL log of a shared ledger; null for a ledger file. */
    private readonly shared: PostgresLog | null = null,
  ) {
    this.checkpointedLsn = openReport.checkpointLsn;
    if (journal !== null) journal.onFailure = (error) => void this.stop(error);
    if (shared !== null) {
      shared.onFailure = (error) => void this.stop(error);
      shared.applyRemote = (entries) => this.applyRemote(entries);
    }
  }

  /** For a shared ledger, how often this process took the turn lock, how many turns those holds ran and how many snapshots it wrote. */
  get sharedTurnStats(): (Readonly<PostgresLog['turnStats']> & { readonly snapshots: number }) | null {
    return this.shared === null ? null : { ...this.shared.turnStats, snapshots: this.shared.snapshotsWritten };
  }

  /** Where a change is appended: the journal beside the file, or the shared ledger's log. */
  private get log(): Journal | PostgresLog | null {
    return this.shared ?? this.journal;
  }

  static async open(ledgerPath: string, options: LedgerStoreOptions = {}): Promise<LedgerStore> {
    if (isSharedLedgerUrl(ledgerPath)) return LedgerStore.openShared(ledgerPath, options);
    const files = options.files ?? nodeFileSystem;
    let readOnly = options.readOnly === 'always';
    let lock: LedgerLock | null = null;
    if (!readOnly && options.lock !== false) {
      try {
        lock = await acquireLedgerLock(ledgerPath, files);
      } catch (error) {
        if (!(error instanceof ReadOnlyFolderError && options.readOnly === 'auto')) throw error;
        readOnly = true;
      }
    }
    try {
      const removedTemporaryFiles = readOnly ? [] : await removeTemporaryFiles(files, [ledgerPath, manifestPath(ledgerPath)]);
      const bytes = await readLedgerFile(files, ledgerPath);
      if (bytes === null) {
        if (readOnly || options.create !== true) await refuseMissing(files, ledgerPath);
        return await LedgerStore.create(ledgerPath, options, files, lock);
      }
      return await LedgerStore.recover(ledgerPath, bytes, options, files, lock, readOnly, removedTemporaryFiles);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  /** Loads the file, proves it against the manifest, proves the journal chain, replays. */
  private static async recover(
    ledgerPath: string, bytes: Buffer, options: LedgerStoreOptions, files: StorageFileSystem,
    lock: LedgerLock | null, readOnly: boolean, removedTemporaryFiles: string[],
  ): Promise<LedgerStore> {
    const checksumStartedAtMs = performance.now();
    const entries = await readManifest(files, ledgerPath);
    const entry = entries === null ? null : matchingEntry(ledgerPath, bytes, entries);
    const checksumMs = performance.now() - checksumStartedAtMs;
    const database = await loadDatabase(ledgerPath, bytes);
    const checkpointLsn = Number(database.value("SELECT value FROM meta WHERE key = 'lsn'") ?? 0);
    if (entry === null && Number(database.value("SELECT value FROM meta WHERE key = 'storage_format'") ?? 0) >= storageFormat) {
      database.close();
      throw new LedgerOpenError(`${manifestPath(ledgerPath)} is missing: without it the ledger file's checksum and journal cannot be proved. ${restoreAdvice}`);
    }
    if (entry !== null && entry.lsn !== checkpointLsn) {
      database.close();
      throw new LedgerOpenError(`${ledgerPath} holds LSN ${checkpointLsn}, but its manifest entry says ${entry.lsn}. ${restoreAdvice}`);
    }
    let recovered: RecoveredJournal;
    try {
      recovered = await readJournal(files, ledgerPath, { checkpointLsn, requiredGeneration: entry?.generation ?? null });
    } catch (error) {
      database.close();
      throw error;
    }
    const state = new LedgerState(database);
    replay(database, state, recovered.entries);
    const journal = readOnly ? null : await Journal.open(files, ledgerPath, recovered, entry?.generation ?? 1);
    const report: OpenReport = {
      replayedRecords: recovered.entries.length, journalBytes: recovered.bytesRead, checkpointLsn, checksumMs, removedTemporaryFiles,
    };
    const store = new LedgerStore(ledgerPath, database, state, journal, report, lock, files, entry, options);
    // A ledger from before the manifest gets one, and its old-format journal is folded in, at once.
    if (!readOnly && entry === null) {
      await store.checkpoint(true).catch(async (error: unknown) => {
        await store.discard();
        throw error;
      });
    }
    return store;
  }

  /**
   * A shared ledger in PostgreSQL: the same in-memory database, built from the
   * copied-in image (if any) and the log, then kept current turn by turn.
   */
  private static async openShared(location: string, options: LedgerStoreOptions): Promise<LedgerStore> {
    if (options.readOnly === 'always') throw new LedgerOpenError(`${displayLocation(location)} is a shared ledger; it cannot be opened read-only yet.`);
    const snapshotPayments = options.initialBytes === undefined ? undefined : await paymentRowsIn(location, options.initialBytes);
    const opened = await PostgresLog.open(location, applicationId, {
      create: options.create === true, mustBeNew: options.mustBeNew, snapshot: options.initialBytes, snapshotPayments,
    });
    let database: SqliteDatabase;
    try {
      database = await newDatabase(displayLocation(location), opened.snapshot ?? undefined);
    } catch (error) {
      await opened.log.close();
      throw error;
    }
    const state = new LedgerState(database);
    replay(database, state, opened.entries);
    const report: OpenReport = {
      replayedRecords: opened.entries.length, journalBytes: 0, checkpointLsn: opened.snapshotLsn, checksumMs: 0, removedTemporaryFiles: [],
    };
    const store = new LedgerStore(location, database, state, null, report, null, nodeFileSystem, null, options, opened.log);
    // Snapshots keep the next open's replay short (postgres-log.ts); a read-only tool never writes one.
    opened.log.exportImage = () => store.exportImage();
    if (options.snapshotLogBytes !== undefined) opened.log.snapshotMinBytes = options.snapshotLogBytes;
    return store;
  }

  /** The whole database as one image, metrics written first (`paydesk copy`); between commits only. */
  exportImage(): Uint8Array {
    this.flushMetrics();
    return this.database.export();
  }

  /** For a shared ledger, writes a snapshot of the ledger as it stands now, so the next open replays only what follows. */
  async snapshotShared(): Promise<void> {
    await this.shared?.snapshotNow();
  }

  /** Whether this is a shared ledger (PostgreSQL), which several processes may have open at once. */
  get isShared(): boolean {
    return this.shared !== null;
  }

  /** A shared ledger's batch files and batch claims (storage/postgres-batches.ts); null for a ledger file. */
  get sharedBatches(): SharedBatches | null {
    return this.shared?.batches ?? null;
  }

  /**
   * Runs `handler` with the ledger current and to itself: for a file, which one
   * process holds, that is always so; for a shared ledger it takes the turn
   * across every process (electron/core/storage/postgres-log.ts). Every change
   * is made inside one.
   */
  turn<T>(handler: () => Promise<T>): Promise<T> {
    return this.shared === null ? handler() : this.shared.turn(handler);
  }

  /** Starts background work (a batch run) outside the turn of the request that started it: it takes turns of its own. */
  outsideTurn<T>(work: () => T): T {
    return this.shared === null ? work() : this.shared.outsideTurn(work);
  }

  /** Called after other desks' changes reached this process between its own turns (shared ledgers only). */
  onRemoteChange(listener: () => void): () => void {
    if (this.shared === null) return () => undefined;
    void this.shared.listen().catch((error: unknown) => console.error('paydesk: listening for other desks failed', error));
    return this.shared.onRemoteChange(listener);
  }

  /** Frames another desk committed: applied exactly as replay applies them. */
  private applyRemote(entries: JournalEntry[]): void {
    try {
      replay(this.database, this.state, entries);
    } catch (error) {
      this.state.reload();
      throw error;
    }
  }

  /** A new ledger: the database, the first journal generation, the manifest, then the file, in that order. */
  private static async create(
    ledgerPath: string, options: LedgerStoreOptions, files: StorageFileSystem, lock: LedgerLock | null,
  ): Promise<LedgerStore> {
    await removeUnfinishedCreation(files, ledgerPath);
    const database = await newDatabase(ledgerPath, options.initialBytes);
    database.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('storage_format', ?)", [String(storageFormat)]);
    const checkpointLsn = Number(database.value("SELECT value FROM meta WHERE key = 'lsn'") ?? 0);
    const bytes = database.export();
    const recovered: RecoveredJournal = {
      entries: [], lastLsn: checkpointLsn, tail: null, olderFiles: [], removable: [], bytesRead: 0, legacy: false,
    };
    const journal = await Journal.open(files, ledgerPath, recovered, 1);
    const entry = entryFor(bytes, checkpointLsn, 1);
    try {
      await writeManifest(files, ledgerPath, entry, null);
      await writeFileAtomic(ledgerPath, bytes, files);
    } catch (error) {
      await journal.abandon();
      database.close();
      throw error;
    }
    const state = new LedgerState(database);
    const report: OpenReport = { replayedRecords: 0, journalBytes: 0, checkpointLsn, checksumMs: 0, removedTemporaryFiles: [] };
    return new LedgerStore(ledgerPath, database, state, journal, report, lock, files, entry, options);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get readOnly(): boolean {
    return this.log === null;
  }

  /** Why the store stopped taking work, or null while it works. */
  get stopped(): LedgerStoppedError | null {
    return this.stoppedBy;
  }

  /** Called once if a write fails and the store stops. */
  onStop(listener: (error: LedgerStoppedError) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  private stop(cause: unknown): LedgerStoppedError {
    if (this.stoppedBy !== null) return this.stoppedBy;
    this.stoppedBy = new LedgerStoppedError(this.shared === null
      ? describeWriteFailure(this.ledgerPath, cause)
      : `Writing to the shared ledger at ${displayLocation(this.ledgerPath)} failed (${(cause as Error | undefined)?.message ?? String(cause)}). ` +
        'PayDesk stopped taking work so that it never reports an outcome PostgreSQL has not committed; nothing acknowledged is lost.');
    console.error(`paydesk: ${this.stoppedBy.sentence} (${(cause as Error | undefined)?.message ?? String(cause)})`);
    for (const listener of this.stopListeners) listener(this.stoppedBy);
    return this.stoppedBy;
  }

  private assertWritable(): Journal | PostgresLog {
    if (this.closed) throw new Error('the ledger is closed');
    if (this.stoppedBy !== null) throw this.stoppedBy;
    const log = this.log;
    if (log === null) throw new ReadOnlyLedgerError(`${this.ledgerPath} is open read-only: nothing can be changed.`);
    return log;
  }

  /**
   * Applies records in one transaction and appends them to the journal. The
   * returned LSN is durable once `whenDurable` resolves; nothing may be
   * acknowledged before that. The audit entry for the change (electron/core/audit)
   * joins the same transaction and journal frame: the change and its entry are
   * applied, replayed or lost together.
   */
  commit(newRecords: LedgerRecord[], audit?: AuditNote): number {
    const log = this.assertWritable();
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
    const lsn = log.append(records);
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
    if (this.log === null) return;
    this.latencyFlushTimer ??= setTimeout(() => this.flushQuietLatencies(), latencyFlushDelayMs);
    this.latencyFlushTimer.unref?.();
  }

  /** When no commit came along to carry them, the waiting latencies go in a commit of their own. */
  private flushQuietLatencies(): void {
    this.latencyFlushTimer = null;
    if (this.closed || this.stoppedBy !== null || this.pendingLatencyPairs.length === 0) return;
    this.turn(async () => {
      if (!this.closed && this.stoppedBy === null && this.pendingLatencyPairs.length > 0) this.commit([]);
    }).catch((error: unknown) => console.error('paydesk: writing measured latencies failed', error));
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
    const log = this.log;
    if (log === null) return Promise.resolve();
    if (this.stoppedBy !== null && lsn > log.durableThrough) return Promise.reject(this.stoppedBy);
    return log.whenDurable(lsn).catch((error: unknown) => {
      // A wait cut short by close is not a failed write: the store was closed on purpose.
      if (this.closed && this.stoppedBy === null) throw new Error('the ledger is closed');
      throw this.stoppedBy ?? this.stop(error);
    });
  }

  /** Waits until everything committed so far is durable (for answers that repeat an earlier outcome). */
  whenAllDurable(): Promise<void> {
    return this.whenDurable(this.log?.lastAppendedLsn ?? 0);
  }

  /** Writes the whole database to the file atomically and retires the journal it covers. */
  checkpoint(atOpenOrClose = false): Promise<void> {
    // A shared ledger has no file to fold its log into: PostgreSQL keeps it.
    if (this.shared !== null) return Promise.resolve();
    this.checkpointing ??= this.runCheckpoint()
      .catch((error: unknown) => {
        // A failed checkpoint at close leaves the journal as the durable record (close says so);
        // anywhere else the store stops, like after any failed write.
        if (!atOpenOrClose) throw this.stop(error);
        throw error;
      })
      .finally(() => {
        this.checkpointing = null;
      });
    return this.checkpointing;
  }

  /**
   * Closes the store. The final checkpoint folds the journal into the file; if
   * it fails, the journal stays the durable record and the report says so, so
   * a command that succeeded still succeeds. The lock is released either way,
   * and temporary files are removed. A stopped store is closed without any
   * write: its memory may be ahead of the disk.
   */
  close(): Promise<CloseReport> {
    // A second close waits for the first, so "closed" always means the lock is released too.
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<CloseReport> {
    if (this.closed) return { checkpointed: false, warning: null };
    await this.checkpointing?.catch(() => undefined);
    if (this.latencyFlushTimer !== null) clearTimeout(this.latencyFlushTimer);
    if (this.metricsFlushTimer !== null) clearTimeout(this.metricsFlushTimer);
    let report: CloseReport = { checkpointed: false, warning: null };
    if (this.shared !== null) return this.closeShared(this.shared);
    if (this.journal !== null && this.stoppedBy === null) {
      try {
        if (this.pendingLatencyPairs.length > 0) this.commit([]);
        await this.checkpoint(true);
        report = { checkpointed: true, warning: null };
      } catch (error) {
        report = { checkpointed: false, warning: closeWarning(this.ledgerPath, error) };
      }
    }
    this.closed = true;
    if (this.journal !== null) {
      if (report.checkpointed) await this.journal.close().catch(() => undefined);
      else await this.journal.abandon();
    }
    this.database.close();
    if (this.journal !== null) await removeTemporaryFiles(this.files, [this.ledgerPath, manifestPath(this.ledgerPath)]).catch(() => []);
    await this.lock?.release().catch(() => undefined);
    return report;
  }

  /** Latencies still waiting go in a last turn; everything appended is committed before the connection ends. */
  private async closeShared(shared: PostgresLog): Promise<CloseReport> {
    let report: CloseReport = { checkpointed: false, warning: null };
    if (this.stoppedBy === null && this.pendingLatencyPairs.length > 0) {
      await this.turn(async () => void this.commit([])).catch((error: unknown) => {
        report = { checkpointed: false, warning: `the last measured latencies were not written (${(error as Error).message}).` };
      });
    }
    this.closed = true;
    await shared.close();
    this.database.close();
    return report;
  }

  /**
   * Reads the ledger file again and checks it against its manifest entry (bit
   * rot since open); returns the problems found, none when it matches.
   */
  async checkFiles(): Promise<string[]> {
    if (this.shared !== null) return [];
    try {
      const bytes = await readLedgerFile(this.files, this.ledgerPath);
      const entries = await readManifest(this.files, this.ledgerPath);
      if (bytes === null) return [`${this.ledgerPath} is missing.`];
      if (entries === null) return this.currentEntry === null ? [] : [`${manifestPath(this.ledgerPath)} is missing.`];
      matchingEntry(this.ledgerPath, bytes, entries);
      return [];
    } catch (error) {
      return [(error as Error).message];
    }
  }

  /** Closes without writing anything: a ledger refused at open leaves its files as they were. */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.latencyFlushTimer !== null) clearTimeout(this.latencyFlushTimer);
    if (this.metricsFlushTimer !== null) clearTimeout(this.metricsFlushTimer);
    await this.journal?.abandon();
    await this.shared?.close();
    this.database.close();
    await this.lock?.release().catch(() => undefined);
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
    if (this.journal === null || this.stoppedBy !== null) return;
    const ordinaryBytes = this.options.checkpointJournalBytes ?? checkpointJournalBytes;
    const limitBytes = this.checkpointHolds > 0 ? Math.max(ordinaryBytes, checkpointJournalBytesWhileHeld) : ordinaryBytes;
    if (this.checkpointing === null && this.journal.bytesInCurrentFile > limitBytes) {
      this.checkpoint().catch(() => undefined);
    }
  }

  private async runCheckpoint(): Promise<void> {
    this.assertWritable();
    const journal = this.journal;
    if (journal === null) return;
    if (this.pendingLatencyPairs.length > 0) this.commit([]);
    if (journal.lastAppendedLsn === this.checkpointedLsn && this.currentEntry !== null) return;
    this.options.onCheckpointStart?.();
    const { bytes, lsn } = await journal.rotate((boundaryLsn) => {
      this.flushMetrics();
      this.database.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('lsn', ?), ('storage_format', ?)", [
        String(boundaryLsn),
        String(storageFormat),
      ]);
      return { bytes: this.database.export(), lsn: boundaryLsn };
    });
    const entry = entryFor(bytes, lsn, journal.currentGeneration);
    // The next generation's header and everything up to the boundary are on disk before the manifest names them.
    await journal.whenAllWritten();
    await writeManifest(this.files, this.ledgerPath, entry, this.currentEntry);
    await writeFileAtomic(this.ledgerPath, bytes, this.files);
    this.currentEntry = entry;
    this.checkpointedLsn = lsn;
    await journal.retire(lsn);
  }
}

function closeWarning(ledgerPath: string, error: unknown): string {
  const code = errorCode(error) ?? (error as JournalWriteError).code;
  return `the final checkpoint of ${ledgerPath} failed (${code ?? (error as Error).message}); ` +
    'the journal beside it keeps everything, and the next open replays it.';
}

async function readLedgerFile(files: StorageFileSystem, ledgerPath: string): Promise<Buffer | null> {
  let bytes: Buffer;
  try {
    bytes = await files.readFile(ledgerPath);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    if (errorCode(error) === 'EISDIR') throw new LedgerOpenError(`${ledgerPath} is a folder, not a ledger file.`);
    throw new LedgerOpenError(`${ledgerPath} cannot be read: ${(error as Error).message}`);
  }
  if (bytes.length === 0) {
    throw new LedgerOpenError(`${ledgerPath} is empty (0 bytes): it is not a ledger, or it was cut short. ${restoreAdvice}`);
  }
  if (bytes.toString('latin1', 0, 16) !== sqliteMagic) {
    throw new LedgerOpenError(`${ledgerPath} is not a PayDesk ledger: it is not an SQLite file. Nothing was changed.`);
  }
  return bytes;
}

/** No ledger file: refuse, and say whether its journal or manifest is here without it. */
async function refuseMissing(files: StorageFileSystem, ledgerPath: string): Promise<never> {
  const journals = await listJournalFiles(files, ledgerPath).catch(() => []);
  const manifest = (await files.size(manifestPath(ledgerPath)).catch(() => null)) !== null;
  if (journals.length === 0 && !manifest) {
    throw new LedgerOpenError(`no ledger at ${ledgerPath}; create one with "paydesk init --db ${ledgerPath}".`);
  }
  const unfinished = await onlyEmptyJournals(files, journals);
  throw new LedgerOpenError(
    unfinished
      ? `${ledgerPath} is missing, but an unfinished creation left its journal or manifest beside it ` +
        `(they hold no payments). Create the ledger again with "paydesk init --db ${ledgerPath}".`
      : `${ledgerPath} is missing, but its journal (${journals.map((file) => file.filePath).join(', ')}) ` +
        `is still here: the ledger file was moved or deleted. ${restoreAdvice}`,
  );
}

async function onlyEmptyJournals(files: StorageFileSystem, journals: { filePath: string }[]): Promise<boolean> {
  for (const journal of journals) {
    const decoded = decodeJournalFile(await files.readFile(journal.filePath));
    if (decoded.frames.length > 0 || decoded.end.kind === 'damaged') return false;
  }
  return true;
}

/** A creation that crashed before the ledger file was written leaves a frameless journal and a manifest: they go. */
async function removeUnfinishedCreation(files: StorageFileSystem, ledgerPath: string): Promise<void> {
  const journals = await listJournalFiles(files, ledgerPath);
  const manifest = (await files.size(manifestPath(ledgerPath))) !== null;
  if (journals.length === 0 && !manifest) return;
  if (!(await onlyEmptyJournals(files, journals))) await refuseMissing(files, ledgerPath);
  for (const journal of journals) await files.remove(journal.filePath);
  await files.remove(manifestPath(ledgerPath));
}

async function loadDatabase(ledgerPath: string, bytes: Buffer): Promise<SqliteDatabase> {
  let database: SqliteDatabase;
  try {
    database = await SqliteDatabase.open(bytes);
    checkIdentity(database, ledgerPath);
    // Tables added since the file was written are created empty.
    for (const statement of schemaStatements) database.exec(statement);
    movePaymentLatencies(database);
  } catch (error) {
    if (error instanceof LedgerOpenError) throw error;
    throw new LedgerOpenError(`${ledgerPath} is damaged and cannot be read (${(error as Error).message}). ${restoreAdvice}`);
  }
  return database;
}

async function newDatabase(ledgerPath: string, initialBytes: Uint8Array | undefined): Promise<SqliteDatabase> {
  if (initialBytes !== undefined) return loadDatabase(ledgerPath, Buffer.from(initialBytes));
  const database = await SqliteDatabase.open(undefined);
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
    throw new LedgerOpenError(`${ledgerPath} is an SQLite file but not a PayDesk ledger. Nothing was changed.`);
  }
  const version = Number(database.value("SELECT value FROM meta WHERE key = 'schema_version'"));
  if (version > schemaVersion) {
    database.close();
    throw new LedgerOpenError(`${ledgerPath} was written by a newer PayDesk (schema ${version}). Nothing was changed.`);
  }
}

function replay(database: SqliteDatabase, state: LedgerState, entries: JournalEntry[]): void {
  if (entries.length === 0) return;
  database.transaction(() => {
    for (const entry of entries) for (const record of entry.record as LedgerRecord[]) state.apply(record);
    state.metrics.flush();
  });
}

/** The payments in a database image, so that a shared ledger made from it knows their ids are taken. */
async function paymentRowsIn(location: string, bytes: Uint8Array): Promise<PaymentRow[]> {
  const database = await loadDatabase(displayLocation(location), Buffer.from(bytes));
  try {
    return database.all<{ seq: number; id: string; a: number; cur: string; s: 0 | 1; code: PaymentRow['code'] }>(
      'SELECT seq, payment_id AS id, amount_minor AS a, currency AS cur, status AS s, code FROM payments ORDER BY seq',
    ).map((row) => ({ ...row, d: '', c: '', ref: '', msg: null, ch: 'realtime', b: null, l: null, at: 0 }));
  } finally {
    database.close();
  }
}
