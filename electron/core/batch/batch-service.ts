import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Caller } from '../../../shared/access';
import {
  batchLimits, mappingProblems, suggestMapping,
  type BatchApprovalDetail, type BatchDelimiter, type BatchMapping, type BatchPreset, type BatchPreview, type BatchProgressEvent, type BatchStatus,
  type BatchResultRow, type BatchSummary, type ControlTotal, type BatchUploadReceipt, type BatchValidation, type PendingBatch,
} from '../../../shared/batch';
import type { ReasonCode } from '../../../shared/codes';
import type { Page, PaymentStatus } from '../../../shared/domain';
import { failure, success, type Result } from '../../../shared/result';
import { BatchApprovals, batchDetail, batchTotals } from '../approval/batch-approvals';
import type { EngineApi } from '../engine-api';
import { batchMetrics } from '../metrics/dashboard';
import type { LedgerRecord, PaymentRow } from '../records';
import { toPaymentRecord } from '../queries';
import { appendUpload, batchFilePath, batchFolder, importFile, newFileId, removeFile } from './batch-files';
import { finishedStatuses } from './batch-records';
import { BatchRun, type RunCounters, type RunEnd } from './batch-runner';
import { ResultsWriter } from './batch-results-file';
import { resultsPage } from './batch-results-query';
import { validateFile } from './batch-validation';
import { BatchFileError, detectDialect, hashFile, readCsvRecords, type CsvDialect } from './csv-source';

/** The name of a fetched copy (fetchedCopyPath), with its file's SHA-256 as the group. */
const fetchedCopyName = /^shared-([0-9a-f]{64})\.csv$/;

/** Progress events a second, at most, per batch; status changes are always sent. */
export const batchProgressEventsPerSecond = 4;
const progressIntervalMs = 1000 / batchProgressEventsPerSecond;

interface BatchRow {
  id: string; file_name: string; file_path: string; file_hash: string; delimiter: BatchDelimiter; mapping: string; status: BatchStatus;
  problem: string | null; rows_total: number; rows_valid: number; rows_invalid: number; rows_done: number; accepted: number;
  rejected: number; skipped: number; reasons: string; first_seq: number | null; last_seq: number | null; running_ms: number;
  created_at_ms: number; started_at_ms: number | null; finished_at_ms: number | null;
}

/**
 * The batch feature: uploads and imports, inspection, validation, and the
 * runs that process batches, with their state kept in the ledger so a batch
 * survives a crash. A batch left "running" by a process that died shows as
 * interrupted until it is resumed.
 */
export class BatchService {
  /** The counters of each running batch's last durable chunk. */
  private readonly durableCounters = new Map<string, RunCounters>();
  private readonly runs = new Map<string, { run: BatchRun; ended: Promise<void> }>();
  private readonly fileNames = new Map<string, string>();
  private readonly lastEventAtMs = new Map<string, number>();
  private readonly chunkListeners = new Map<string, Set<(rows: readonly PaymentRow[]) => void>>();
  private readonly latencyCache = new Map<string, { state: string; p50: number | null; p99: number | null }>();
  /** On a shared ledger: the batches another desk was last seen running (it holds their claims). */
  private runningElsewhere = new Set<string>();
  /** Rows per chunk for new runs; tests lower it to get many chunks from a small file. */
  chunkRows: number | undefined;
  /** Rows after which a run checks its failure rate (batch-runner.ts); tests lower it. */
  failureCheckRows: number | undefined;

  constructor(private readonly engine: EngineApi) {}

  private get store() {
    return this.engine.store;
  }

  private get ledgerPath() {
    return this.engine.ledgerPath;
  }

  async upload(request: { fileId: string | null; fileName: string; offset: number; text: string }): Promise<Result<BatchUploadReceipt>> {
    if (request.fileId === null && request.offset !== 0) return failure('FF01', 'A new upload starts at offset 0.', 'offset');
    const fileId = request.fileId ?? newFileId();
    const received = await appendUpload(this.ledgerPath, fileId, request.offset, request.text);
    if (typeof received === 'string') return failure('FF01', received, 'offset');
    this.fileNames.set(fileId, request.fileName);
    return success({ fileId, bytesReceived: received });
  }

  /** Copies a file from disk into the batch folder (the command line's way in). */
  async importFromDisk(sourcePath: string, fileName: string): Promise<string> {
    await detectDialect(sourcePath);
    const fileId = await importFile(this.ledgerPath, sourcePath);
    this.fileNames.set(fileId, fileName);
    return fileId;
  }

  /** Removes an imported file that did not become a batch (the import was refused); a file some batch uses stays. */
  async discardImport(fileId: string): Promise<void> {
    const filePath = batchFilePath(this.ledgerPath, fileId);
    this.fileNames.delete(fileId);
    if (this.store.database.value('SELECT 1 FROM batches WHERE file_path = ? LIMIT 1', [filePath]) !== undefined) return;
    await removeFile(this.ledgerPath, fileId);
  }

  /**
   * A file that can never become a batch (empty, not text, a header without
   * rows) is removed as it is refused. A mapping the operator can still
   * correct keeps the file for the next try.
   */
  private async refuseImport<Refusal>(fileId: string, refusal: Refusal): Promise<Refusal> {
    await this.discardImport(fileId);
    return refusal;
  }

  async inspect(request: { fileId: string; delimiter?: BatchDelimiter }): Promise<Result<BatchPreview>> {
    const filePath = batchFilePath(this.ledgerPath, request.fileId);
    const opened = await openDialect(filePath, request.delimiter);
    if (!opened.ok) return this.refuseImport(request.fileId, opened);
    const { dialect, detected } = opened.value;
    const records: { line: number; fields: string[] }[] = [];
    for await (const group of readCsvRecords(filePath, dialect)) {
      records.push(...group.slice(0, batchLimits.previewRows + 1 - records.length));
      if (records.length > batchLimits.previewRows) break;
    }
    const headers = records[0].fields.map((header) => header.trim());
    if (headers.length > batchLimits.columns) return failure('FF01', `The file has ${headers.length} columns; at most ${batchLimits.columns} are read.`);
    const fileHash = await hashFile(filePath);
    const sameFileBatches = this.store.database
      .all<BatchRow>('SELECT * FROM batches WHERE file_hash = ? ORDER BY created_at_ms DESC', [fileHash])
      .map((row) => this.summary(row));
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(filePath));
    return success({
      fileId: request.fileId, fileName: this.fileNameOf(request.fileId), fileBytes: size, fileHash, delimiter: dialect.delimiter,
      detectedDelimiter: detected, headers, rows: records.slice(1), suggestedMapping: suggestMapping(headers), sameFileBatches,
    });
  }

  /**
   * Checks every row and, when the file holds rows, records it as a batch ready to process.
   *
   * Only the batch record's commit takes the ledger's turn (dispatch leaves this request outside one): on a shared
   * ledger, reading and checking a large file and keeping it in PostgreSQL would otherwise hold every other desk's
   * changes back for seconds. Meanwhile other turns (this process's requests, other desks' changes caught up) may
   * change the ledger between two groups of rows: each group's lookups and checks run without an await, so they see
   * one state, but a later group may see a newer one (an account blocked, an id paid meanwhile). That is safe because
   * the checks are advisory, as on a file ledger where other requests already run between awaits: the run checks
   * every row again against the ledger of its own turn, and decide() refuses an id the ledger holds by then.
   * Called inside a turn (a turn inside a turn just runs), it holds that turn throughout, as before.
   */
  async validate(request: { fileId: string; delimiter?: BatchDelimiter; mapping: BatchMapping }): Promise<Result<BatchValidation>> {
    const filePath = batchFilePath(this.ledgerPath, request.fileId);
    const opened = await openDialect(filePath, request.delimiter);
    if (!opened.ok) return this.refuseImport(request.fileId, opened);
    const dialect = opened.value.dialect;
    const fileHash = await hashFile(filePath);
    const outcome = await validateFile(filePath, dialect, request.mapping, this.store.state.accounts, this.store.database);
    const problems = mappingProblems(outcome.headers, request.mapping);
    if (problems.length > 0) return failure('FF01', problems.join(' '), 'mapping');
    if (outcome.rows === 0) return this.refuseImport(request.fileId, failure('FF01', 'The file holds a header but no payment rows.'));
    // The random part keeps two imports of one file in the same millisecond apart (the id is the batches table's key).
    const batchId = `b-${Date.now().toString(36)}-${fileHash.slice(0, 8)}-${randomBytes(4).toString('hex')}`;
    // On a shared ledger the file is in PostgreSQL before the batch is, so any desk can run or resume it.
    const shared = this.store.sharedBatches;
    await shared?.keepFile(fileHash, filePath);
    const record: LedgerRecord = {
      t: 'batch', id: batchId, fileName: this.fileNameOf(request.fileId), filePath, fileHash, delimiter: dialect.delimiter,
      mapping: request.mapping, rows: outcome.rows, valid: outcome.valid, invalid: outcome.invalid,
      totals: [...outcome.totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, total]) => [currency, total.count, total.amountMinor]),
      at: Date.now(),
    };
    // A batch of the same bytes may have ended since the keep and dropped the file (dropKeptFile): confirmed in the turn, where no drop can interleave.
    const lsn = await this.store.turn(async () => {
      if (shared === null) return this.store.commit([record]);
      return shared.withFiles(async () => {
        await shared.confirmKept(fileHash, filePath);
        return this.store.commit([record]);
      });
    });
    await this.store.whenDurable(lsn);
    this.engine.events.emit('ledger-changed', { reason: 'batch' });
    const errors = outcome.errors.slice(0, batchLimits.errorsReturned);
    return success({ batch: this.requireSummary(batchId), errors, errorTotal: outcome.errorTotal });
  }

  /**
   * Calls `listener` with each chunk's payments once the chunk is durable, in
   * seq order, for every run of the batch from now on; returns the way to stop.
   */
  onDurableChunk(batchId: string, listener: (rows: readonly PaymentRow[]) => void): () => void {
    let listeners = this.chunkListeners.get(batchId);
    if (listeners === undefined) {
      listeners = new Set();
      this.chunkListeners.set(batchId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.chunkListeners.delete(batchId);
    };
  }

  /**
   * Writes the batch's results file as it runs (see ResultsWriter); the
   * returned `finish` completes the file once the batch has stopped.
   */
  streamResults(batchId: string, outputPath: string): { finish(): Promise<void> } {
    const writer = new ResultsWriter(outputPath);
    const stop = this.onDurableChunk(batchId, (rows) => writer.append(rows));
    return {
      finish: async () => {
        stop();
        // After a failed write the file holds exactly the durable chunks; memory may be ahead, so it is not consulted.
        if (this.store.stopped !== null) await writer.close();
        else await writer.finish(this.store.database, batchId);
      },
    };
  }

  async start(batchId: string): Promise<Result<BatchSummary>> {
    const row = this.row(batchId);
    if (row === undefined) return notFound(batchId);
    if (row.status !== 'validated') return failure('FF01', `Batch ${batchId} is ${this.statusOf(row)}; only a validated batch can be started.`);
    return (await this.holdForApproval(row)) ?? this.launch(row);
  }

  /** Four-eyes for batches (electron/core/approval/batch-approvals.ts). */
  get approvals(): BatchApprovals {
    return new BatchApprovals(this.store, this.engine.controls.approvals);
  }

  /**
   * Above a currency's threshold the batch waits for a second operator instead
   * of running, its totals per debtor reserved; null when it may run now. The
   * file is read only when some threshold is set.
   */
  private async holdForApproval(row: BatchRow): Promise<Result<BatchSummary> | null> {
    if (this.engine.controls.approvals.thresholds().length === 0) return null;
    const file = await this.checkFile(row);
    if (!file.ok) return file;
    const { filePath, dialect } = file.value;
    const summed = await batchTotals(filePath, dialect, JSON.parse(row.mapping) as BatchMapping, this.store.state.accounts, this.store);
    if (!summed.ok) return summed;
    const totals = summed.value;
    const approvals = this.approvals;
    if (!approvals.needsApproval(totals)) return null;
    const now = this.row(row.id)!;
    if (now.status !== 'validated' || this.runs.has(row.id)) return failure('FF01', `Batch ${row.id} is ${this.statusOf(now)}; it was started meanwhile.`);
    const status = { t: 'batch-status', id: row.id, status: 'awaiting-approval', at: Date.now(), problem: null } as const;
    await this.store.whenDurable(this.store.commit([approvals.holdRecord(row.id, totals), status]));
    this.reportProgress(row.id, 'awaiting-approval', countersOf(now), 0, 0, true);
    return success(this.requireSummary(row.id));
  }

  /** The rows and totals an approver reads before deciding a batch (see batchDetail). */
  async approvalDetail(batchId: string, afterLine: number | undefined): Promise<Result<BatchApprovalDetail>> {
    const held = this.approvals.find(batchId);
    if (held === undefined) return failure('NOT_FOUND', `Batch ${batchId} was never held for approval.`, 'batchId');
    const row = this.row(batchId)!;
    const file = await this.checkFile(row);
    if (!file.ok) return file;
    const mapping = JSON.parse(row.mapping) as BatchMapping;
    return success(await batchDetail(file.value.filePath, file.value.dialect, mapping, this.store.state.accounts, this.store, held, afterLine ?? 0));
  }

  /** A different approver approves: the reservation is released and the batch runs, in one commit audited under the approver. */
  async approve(batchId: string, caller: Caller, note: string | undefined): Promise<Result<PendingBatch>> {
    const approvals = this.approvals;
    const held = approvals.decidable(batchId, caller, 'approve');
    if (!held.ok) return held;
    const launched = await this.launch(this.row(batchId)!, () => {
      // Decided again right before the commit: another approver may have decided while the file was checked.
      const still = approvals.decidable(batchId, caller, 'approve');
      return still.ok ? success([approvals.decisionRecord(batchId, 'approved', caller, note)]) : still;
    });
    return launched.ok ? success(approvals.find(batchId)!) : launched;
  }

  /** A different approver rejects: the reservation is released and the batch ends rejected, nothing paid. */
  async reject(batchId: string, caller: Caller, note: string | undefined): Promise<Result<PendingBatch>> {
    const approvals = this.approvals;
    const held = approvals.decidable(batchId, caller, 'reject');
    if (!held.ok) return held;
    const status = { t: 'batch-status', id: batchId, status: 'rejected', at: Date.now(), problem: null } as const;
    await this.store.whenDurable(this.store.commit([approvals.decisionRecord(batchId, 'rejected', caller, note), status]));
    this.reportProgress(batchId, 'rejected', countersOf(this.row(batchId)!), 0, 0, true);
    await this.dropKeptFile(this.row(batchId)!);
    return success(approvals.find(batchId)!);
  }

  async resume(batchId: string): Promise<Result<BatchSummary>> {
    const row = this.row(batchId);
    if (row === undefined) return notFound(batchId);
    if (await this.runsElsewhere(row)) {
      return failure('BATCH_ELSEWHERE', `Batch ${batchId} is running on another desk of this shared ledger; ` +
        'it can be resumed here once that desk has paused it, or has stopped or closed.');
    }
    const status = this.statusOf(row);
    if (status !== 'paused' && status !== 'interrupted') {
      return failure('FF01', `Batch ${batchId} is ${status}; only a paused or interrupted batch can be resumed.`);
    }
    return this.launch(row);
  }

  /**
   * Pauses the batch: here, once the run has stopped after its chunk in flight; on the desk that runs it, through the
   * log. Called outside the request's turn (dispatch.ts): the run needs turns to stop, and takes them meanwhile.
   */
  async pause(batchId: string): Promise<Result<BatchSummary>> {
    const active = this.runs.get(batchId);
    if (active === undefined) {
      const row = this.row(batchId);
      if (row !== undefined && (await this.runsElsewhere(row))) return this.askDeskRunning(row, 'paused');
      // A claim taken only to look (the batch's desk is gone) is let go: pausing an interrupted batch changes nothing.
      await this.store.sharedBatches?.release(batchId);
      return failure('FF01', `Batch ${batchId} is not running in this window; there is nothing to pause.`);
    }
    active.run.requestStop('paused');
    await active.ended;
    return success(this.requireSummary(batchId));
  }

  /** Cancels the batch, as pause stops it (and outside the request's turn, for the same reason). */
  async cancel(batchId: string): Promise<Result<BatchSummary>> {
    const active = this.runs.get(batchId);
    if (active !== undefined) {
      active.run.requestStop('cancelled');
      await active.ended;
      // The run may have completed its last chunk before it saw the request.
      return success(this.requireSummary(batchId));
    }
    const row = this.row(batchId);
    if (row !== undefined && (await this.runsElsewhere(row))) return this.askDeskRunning(row, 'cancelled');
    try {
      return await this.setStatus(batchId, ['validated', 'paused', 'interrupted'], 'cancelled');
    } finally {
      await this.store.sharedBatches?.release(batchId);
    }
  }

  /**
   * On a shared ledger a batch the ledger says is running, but not here, is
   * either running on another desk (it holds the batch's claim: true) or
   * interrupted (its desk is gone: this desk now holds the claim, false).
   */
  private async runsElsewhere(row: BatchRow): Promise<boolean> {
    const shared = this.store.sharedBatches;
    if (shared === null || row.status !== 'running' || this.runs.has(row.id)) return false;
    if (await shared.claim(row.id)) {
      this.runningElsewhere.delete(row.id);
      return false;
    }
    this.runningElsewhere.add(row.id);
    return true;
  }

  /**
   * Pause or cancel for a batch another desk runs goes through the log
   * (BatchStopRequestRecord): that desk stops after its chunk in flight. The
   * answer comes at once, the batch still running: this desk holds the turn,
   * so waiting here would only keep that desk from its next chunk.
   */
  private async askDeskRunning(row: BatchRow, status: 'paused' | 'cancelled'): Promise<Result<BatchSummary>> {
    await this.store.turn(() => this.store.whenDurable(this.store.commit([{ t: 'batch-stop-request', id: row.id, status, at: Date.now() }])));
    // Said with the answer only (not kept): the operator sees why the batch still shows as running.
    const asked = status === 'paused' ? 'Pause' : 'Cancel';
    const problem = `${asked} was sent to the desk that runs this batch; it stops there after the chunk in flight.`;
    return success({ ...this.requireSummary(row.id), problem });
  }

  /**
   * Brings up to date which of the batches the ledger says are running run on
   * another desk (shared ledgers; called before a list or a summary is read).
   */
  async refreshRunsElsewhere(): Promise<void> {
    const shared = this.store.sharedBatches;
    if (shared === null) return;
    const running = this.store.database.all<{ id: string }>("SELECT id FROM batches WHERE status = 'running'").map((row) => row.id);
    this.runningElsewhere = await shared.claimedElsewhere(running.filter((batchId) => !this.runs.has(batchId)));
  }

  /** A validated batch that will never run: the reason stays with the batch (as its problem) and in the audit entry. */
  abandon(batchId: string, reason: string, caller: Caller): Promise<Result<BatchSummary>> {
    return this.setStatus(batchId, ['validated'], 'abandoned', `Abandoned by ${caller.username}: ${reason}`);
  }

  /**
   * The summary once the batch's current run has ended (at once when none runs); rejects with the reason when the
   * ledger stopped after a failed write, or was closed under the run.
   */
  async whenStopped(batchId: string): Promise<BatchSummary> {
    await this.runs.get(batchId)?.ended;
    if (this.store.stopped !== null) throw this.store.stopped;
    if (this.store.isClosed) throw new Error(`the ledger is closed; batch ${batchId} stopped with it (reopen the ledger to resume it)`);
    return this.requireSummary(batchId);
  }

  get(batchId: string): Result<BatchSummary> {
    const row = this.row(batchId);
    return row === undefined ? notFound(batchId) : success(this.summary(row, true));
  }

  list(): BatchSummary[] {
    return this.store.database
      .all<BatchRow>('SELECT * FROM batches ORDER BY created_at_ms DESC, id DESC LIMIT ?', [batchLimits.batchesListed])
      .map((row) => this.summary(row));
  }

  /** Every row of the batch's file processed so far, in file order: its payments and the rows refused before payment. */
  results(request: { batchId: string; status?: PaymentStatus; limit?: number; cursor?: string | null }): Result<Page<BatchResultRow>> {
    const row = this.row(request.batchId);
    if (row === undefined) return notFound(request.batchId);
    const range = { id: row.id, first_seq: row.first_seq, last_seq: row.last_seq };
    return resultsPage(this.store.database, range, { ...request, limit: request.limit ?? 50 }, this.store.state.pendingLatencyUs);
  }

  presets(): BatchPreset[] {
    return this.store.database
      .all<{ name: string; mapping: string; delimiter: BatchDelimiter | null; updated_at_ms: number }>('SELECT * FROM batch_presets ORDER BY name')
      .map((row) => ({ name: row.name, mapping: JSON.parse(row.mapping) as BatchMapping, delimiter: row.delimiter, updatedAtMs: row.updated_at_ms }));
  }

  async savePreset(request: { name: string; mapping: BatchMapping; delimiter?: BatchDelimiter | null }): Promise<Result<BatchPreset>> {
    const at = Date.now();
    const lsn = this.store.commit([{ t: 'batch-preset', name: request.name, mapping: request.mapping, delimiter: request.delimiter ?? null, at }]);
    await this.store.whenDurable(lsn);
    return success({ name: request.name, mapping: request.mapping, delimiter: request.delimiter ?? null, updatedAtMs: at });
  }

  /** The batch's file as validated, or why it cannot be read for the batch any more. */
  private async checkFile(row: BatchRow): Promise<Result<{ filePath: string; dialect: CsvDialect }>> {
    const hash = await hashFile(row.file_path).catch(() => null);
    if (hash !== row.file_hash && this.store.sharedBatches !== null) return this.fetchSharedFile(row);
    if (hash === null) return failure('FF01', `The file of batch ${row.id} is no longer at ${row.file_path}; the batch cannot go on.`);
    if (hash !== row.file_hash) return failure('FF01', `The file of batch ${row.id} has changed since it was validated; the batch cannot go on.`);
    const dialect = await detectDialect(row.file_path);
    return success({ filePath: row.file_path, dialect: { ...dialect, delimiter: row.delimiter } });
  }

  /**
   * A batch imported on another desk of a shared ledger: its file comes from
   * PostgreSQL into this desk's batch folder, named by its hash, and is used
   * only when its bytes hash to what the batch was validated with.
   */
  private async fetchSharedFile(row: BatchRow): Promise<Result<{ filePath: string; dialect: CsvDialect }>> {
    const filePath = this.fetchedCopyPath(row.file_hash);
    if ((await hashFile(filePath).catch(() => null)) !== row.file_hash) {
      const outcome = await this.store.sharedBatches!.fetchFile(row.file_hash, filePath);
      if (outcome === 'missing') {
        return failure('FF01', `The file of batch ${row.id} is not in the shared ledger (it was imported before batch files were kept there); ` +
          'resume it on the desk that imported it.');
      }
      if (outcome === 'damaged') {
        return failure('FF01', `The file of batch ${row.id} kept in the shared ledger does not match its hash; the batch cannot go on.`);
      }
    }
    const dialect = await detectDialect(filePath);
    return success({ filePath, dialect: { ...dialect, delimiter: row.delimiter } });
  }

  /** Starts a run; `decide` (an approval) adds its records to the commit that marks the batch running, or refuses. */
  private async launch(row: BatchRow, decide?: () => Result<LedgerRecord[]>): Promise<Result<BatchSummary>> {
    if (this.runs.has(row.id)) return failure('FF01', `Batch ${row.id} is already running.`);
    const claimed = await this.claim(row);
    if (claimed !== null) return claimed;
    const launched = await this.launchClaimed(row, decide).catch(async (error: unknown) => {
      await this.store.sharedBatches?.release(row.id).catch(() => undefined);
      throw error;
    });
    if (!launched.ok) await this.store.sharedBatches?.release(row.id);
    return launched;
  }

  private async launchClaimed(row: BatchRow, decide?: () => Result<LedgerRecord[]>): Promise<Result<BatchSummary>> {
    const file = await this.checkFile(row);
    if (!file.ok) return file;
    const decided = decide?.() ?? success([]);
    if (!decided.ok) return decided;
    const lsn = this.store.commit([...decided.value, { t: 'batch-status', id: row.id, status: 'running', at: Date.now(), problem: null }]);
    await this.store.whenDurable(lsn);
    this.durableCounters.set(row.id, countersOf(row));
    const run = new BatchRun(
      this.store,
      {
        batchId: row.id, filePath: file.value.filePath, dialect: file.value.dialect, mapping: JSON.parse(row.mapping) as BatchMapping,
        counters: countersOf(row), chunkRows: this.chunkRows, failureCheckRows: this.failureCheckRows,
        reservedMinor: (accountCode) => this.engine.controls.approvals.reservedMinor(accountCode),
      },
      {
        onChunk: (rows, counters, rowsThisRun, elapsedMs) => {
          this.durableCounters.set(row.id, counters);
          for (const listener of this.chunkListeners.get(row.id) ?? []) listener(rows);
          this.reportProgress(row.id, 'running', counters, rowsThisRun, elapsedMs, false);
        },
      },
    );
    const ended = run.finished
      .then(
        (end) => this.onRunEnd(row.id, end),
        (error: Error) => this.onRunFailed(row.id, error),
      )
      // A ledger closed under the run (a crash in the simulation, a swap) leaves nothing to report to.
      .catch((error: unknown) => {
        if (!this.store.isClosed) throw error;
      })
      // The claim goes once the run's last status is committed (a closed connection has let it go already), and only
      // then is the run forgotten, so a resume here cannot start on a claim about to be let go.
      .finally(async () => {
        await this.store.sharedBatches?.release(row.id).catch(() => undefined);
        this.runs.delete(row.id);
      });
    this.runs.set(row.id, { run, ended });
    this.engine.events.emit('ledger-changed', { reason: 'batch' });
    return success(this.requireSummary(row.id));
  }

  /** On a shared ledger, the batch's claim for this desk; null once held, a refusal when another desk holds it. */
  private async claim(row: BatchRow): Promise<Result<never> | null> {
    const shared = this.store.sharedBatches;
    if (shared === null || (await shared.claim(row.id))) return null;
    return failure('BATCH_ELSEWHERE', `Batch ${row.id} is running on another desk of this shared ledger; nothing was changed here.`);
  }

  private async onRunEnd(batchId: string, end: RunEnd): Promise<void> {
    if (end.status === 'closed' || this.store.isClosed) return;
    const row = this.row(batchId)!;
    this.reportProgress(batchId, end.status, countersOf(row), 0, 0, true, row.problem);
    if (end.status !== 'paused') await this.dropKeptFile(row);
  }

  private copiesSwept: Promise<void> | undefined;

  /** Where this desk keeps its copy of a shared batch file it fetched (`shared-<hash>.csv` in its batch folder). */
  private fetchedCopyPath(fileHash: string): string {
    return batchFilePath(this.ledgerPath, `shared-${fileHash}`);
  }

  /** The copies of shared batch files this desk fetched and no batch that can still run names; once per process. */
  removeUnusedCopiesOnce(): Promise<void> {
    if (this.store.sharedBatches === null) return Promise.resolve();
    this.copiesSwept ??= this.removeUnusedCopies();
    return this.copiesSwept;
  }

  /**
   * Removes the copies this desk fetched of shared batch files (`shared-<hash>.csv` in its batch folder) that no batch
   * able to run still names. The desk that ends a batch removes its own copy (dropKeptFile), but the batch may end on
   * another desk, or after this one fetched its file for a run that was interrupted: without this, such copies (47 MB
   * for a million rows) would stay for ever. Runs once per process, at the first list of batches, in a turn, where this
   * desk has every committed batch, so a copy that another process of this desk has just fetched for a batch that can
   * still run is never taken. A failure is logged: the next start tries again.
   */
  private async removeUnusedCopies(): Promise<void> {
    const folder = batchFolder(this.ledgerPath);
    const names = await fs.readdir(folder).catch(() => [] as string[]);
    const copies = names.flatMap((name) => fetchedCopyName.exec(name)?.[1] ?? []);
    if (copies.length === 0) return;
    try {
      await this.store.turn(async () => {
        for (const fileHash of copies) {
          if (this.fileStillUsed(fileHash)) continue;
          await fs.rm(this.fetchedCopyPath(fileHash), { force: true });
        }
      });
    } catch (error) {
      console.error(`paydesk: copies of shared batch files in ${folder} were not removed (${(error as Error).message}); the next start tries again.`);
    }
  }

  /** Whether a batch that has not reached a final status names the file with this hash. */
  private fileStillUsed(fileHash: string): boolean {
    const placeholders = finishedStatuses.map(() => '?').join(', ');
    return this.store.database.value(
      `SELECT 1 FROM batches WHERE file_hash = ? AND status NOT IN (${placeholders}) LIMIT 1`, [fileHash, ...finishedStatuses],
    ) !== undefined;
  }

  /**
   * Housekeeping once a batch's final status (completed, cancelled, abandoned, rejected) is committed on a shared
   * ledger: its file leaves PostgreSQL unless a batch that can still run names the same bytes (that batch's end drops
   * it), and this desk's fetched copy leaves its batch folder (a file the operator imported stays). The check reads
   * batches, which live only in the log and each desk's memory, so it runs in a turn, where this desk has every
   * committed batch record: one of its own after the status commit where it can (the drop is one short statement),
   * or the request's where that holds one. A failure is logged and changes nothing else: the next batch of those
   * bytes to end tries again.
   */
  private async dropKeptFile(row: BatchRow): Promise<void> {
    const shared = this.store.sharedBatches;
    if (shared === null) return;
    try {
      await this.store.turn(() => shared.withFiles(async () => {
        if (!this.fileStillUsed(row.file_hash)) await shared.dropFile(row.file_hash);
      }));
      // A run of this process reading the copy (another batch of the same bytes) keeps it open; a later run fetches it again.
      await fs.rm(this.fetchedCopyPath(row.file_hash), { force: true });
    } catch (error) {
      console.error(`paydesk: the file of batch ${row.id} was not removed from the shared ledger (${(error as Error).message}); ` +
        'the next batch of the same file to end removes it.');
    }
  }

  /** An unexpected failure mid-run (the file vanished, say): the batch is paused with the reason, never left half-said. */
  private async onRunFailed(batchId: string, error: Error): Promise<void> {
    // Closed under the run: what failed was the closing itself, and the ledger can no longer be read or written.
    if (this.store.isClosed) return;
    const stopped = this.store.stopped;
    if (stopped !== null) {
      // A write failed: memory may be ahead of the disk, so say only what the last durable chunk said.
      const counters = this.durableCounters.get(batchId)!;
      const problem = `${stopped.sentence} The batch stopped after row ${counters.rowsDone}; resume it once the ledger is reopened.`;
      this.reportProgress(batchId, 'interrupted', counters, 0, 0, true, problem);
      return;
    }
    console.error(`paydesk: batch ${batchId} stopped`, error);
    const problem = error instanceof BatchFileError ? error.message : `The batch stopped on an unexpected error: ${error.message}`;
    try {
      await this.store.turn(async () => {
        const lsn = this.store.commit([{ t: 'batch-status', id: batchId, status: 'paused', at: Date.now(), problem }]);
        await this.store.whenDurable(lsn);
      });
    } catch {
      return;
    }
    const row = this.row(batchId)!;
    this.reportProgress(batchId, 'paused', countersOf(row), 0, 0, true, problem);
  }

  private reportProgress(
    batchId: string, status: BatchStatus, counters: RunCounters, rowsThisRun: number, elapsedMs: number, force: boolean, problem: string | null = null,
  ): void {
    const nowMs = performance.now();
    if (!force && nowMs - (this.lastEventAtMs.get(batchId) ?? -Infinity) < progressIntervalMs) return;
    this.lastEventAtMs.set(batchId, nowMs);
    const row = this.row(batchId)!;
    const rowsPerSecond = elapsedMs > 0 ? Math.round((rowsThisRun * 1000) / elapsedMs) : null;
    const remaining = row.rows_total - counters.rowsDone;
    const event: BatchProgressEvent = {
      batchId, status, rows: row.rows_total, rowsDone: counters.rowsDone, accepted: counters.accepted, rejected: counters.rejected,
      skipped: counters.skipped, reasons: { ...counters.reasons }, rowsPerSecond,
      etaSeconds: rowsPerSecond === null || rowsPerSecond === 0 ? null : Math.ceil(remaining / rowsPerSecond), problem,
    };
    this.engine.events.emit('batch-progress', event);
    this.engine.events.emit('ledger-changed', { reason: 'batch' });
  }

  /**
   * Checks and commits in one turn (pause and cancel call it outside the request's, dispatch.ts), so no other desk
   * changes the batch between; a final status then drops the batch's kept file (dropKeptFile), after that turn.
   */
  private async setStatus(batchId: string, from: BatchStatus[], to: BatchStatus, problem: string | null = null): Promise<Result<BatchSummary>> {
    const changed = await this.store.turn(() => this.setStatusInTurn(batchId, from, to, problem));
    if (changed.ok && finishedStatuses.includes(to)) await this.dropKeptFile(this.row(batchId)!);
    return changed;
  }

  private async setStatusInTurn(batchId: string, from: BatchStatus[], to: BatchStatus, problem: string | null): Promise<Result<BatchSummary>> {
    const row = this.row(batchId);
    if (row === undefined) return notFound(batchId);
    const status = this.statusOf(row);
    if (!from.includes(status)) return failure('FF01', `Batch ${batchId} is ${status}; it cannot become ${to}.`);
    const note = problem === null ? undefined : { target: batchId, detail: `batch ${row.file_name} ${to}: ${problem}` };
    const lsn = this.store.commit([{ t: 'batch-status', id: batchId, status: to, at: Date.now(), problem }], note);
    await this.store.whenDurable(lsn);
    this.reportProgress(batchId, to, countersOf(this.row(batchId)!), 0, 0, true, problem);
    return success(this.requireSummary(batchId));
  }

  private row(batchId: string): BatchRow | undefined {
    return this.store.database.get<BatchRow>('SELECT * FROM batches WHERE id = ?', [batchId]);
  }

  /**
   * "running" in the ledger but not running here means the process that ran it
   * died, unless another desk of a shared ledger holds its claim (as last seen
   * by refreshRunsElsewhere or a refused claim).
   */
  private statusOf(row: BatchRow): BatchStatus {
    if (row.status !== 'running' || this.runs.has(row.id)) return row.status;
    return this.runningElsewhere.has(row.id) ? 'running' : 'interrupted';
  }

  private requireSummary(batchId: string): BatchSummary {
    return this.summary(this.row(batchId)!, true);
  }

  private summary(row: BatchRow, withLatency = false): BatchSummary {
    const latency = withLatency ? this.latencyPercentiles(row) : { p50: null, p99: null };
    const processed = row.accepted + row.rejected + row.skipped;
    return {
      batchId: row.id, fileName: row.file_name, fileHash: row.file_hash, delimiter: row.delimiter, mapping: JSON.parse(row.mapping) as BatchMapping,
      status: this.statusOf(row), rows: row.rows_total, valid: row.rows_valid, invalid: row.rows_invalid, rowsDone: row.rows_done,
      accepted: row.accepted, rejected: row.rejected, skipped: row.skipped, reasons: JSON.parse(row.reasons) as Partial<Record<ReasonCode, number>>,
      psr: processed === 0 ? null : row.accepted / processed,
      rowsPerSecond: row.running_ms > 0 ? Math.round((row.rows_done * 1000) / row.running_ms) : null,
      pltP50Us: latency.p50, pltP99Us: latency.p99, createdAtMs: row.created_at_ms, startedAtMs: row.started_at_ms,
      finishedAtMs: row.finished_at_ms, runningMs: row.running_ms, problem: row.problem,
      controlTotals: this.store.database.all<ControlTotal>(
        'SELECT currency, count, amount_minor AS amountMinor FROM batch_control_totals WHERE batch_id = ? ORDER BY currency', [row.id],
      ),
    };
  }

  /**
   * PLT p50 and p99 over the batch's payments, read from its latency histogram
   * (shared/metrics.ts: within 1/16 of the exact value), the same figures the
   * Metrics page shows for the batch; computed once per state of the batch.
   */
  private latencyPercentiles(row: BatchRow): { p50: number | null; p99: number | null } {
    // The last chunk's latencies arrive with the status change, so the status is part of the state too.
    const state = `${row.last_seq}|${row.status}`;
    const cached = this.latencyCache.get(row.id);
    if (cached !== undefined && cached.state === state) return cached;
    this.store.flushMetrics();
    const plt = batchMetrics(this.store.database, row.id)?.totals.plt;
    const result = { state, p50: plt?.p50Us ?? null, p99: plt?.p99Us ?? null };
    this.latencyCache.set(row.id, result);
    return result;
  }

  private fileNameOf(fileId: string): string {
    return this.fileNames.get(fileId) ?? `${fileId}.csv`;
  }
}

function countersOf(row: BatchRow): RunCounters {
  return {
    rowsDone: row.rows_done, accepted: row.accepted, rejected: row.rejected, skipped: row.skipped,
    reasons: JSON.parse(row.reasons) as Partial<Record<ReasonCode, number>>, firstSeq: row.first_seq, lastSeq: row.last_seq, runningMs: row.running_ms,
  };
}

function notFound(batchId: string) {
  return failure('NOT_FOUND', `No batch with id ${batchId} is in this ledger.`, 'batchId');
}

async function openDialect(filePath: string, delimiter: BatchDelimiter | undefined): Promise<Result<{ dialect: CsvDialect; detected: BatchDelimiter }>> {
  try {
    const detected = await detectDialect(filePath);
    return success({ dialect: { ...detected, delimiter: delimiter ?? detected.delimiter }, detected: detected.delimiter });
  } catch (error) {
    if (error instanceof BatchFileError) return failure('FF01', error.message.replace(filePath, 'The file'));
    throw error;
  }
}
