import type { BatchDelimiter, BatchMapping, BatchStatus } from '../../../shared/batch';
import type { ReasonCode } from '../../../shared/codes';
import type { SqliteDatabase } from '../storage/sqlite';

/**
 * The batch's own journal records and the tables they land in. Each record
 * carries absolute values (never deltas), so applying it on the live path and
 * again on replay after a crash lands on the same state.
 */

/** A validated file became a batch: status "validated", nothing paid yet. */
export interface BatchCreatedRecord {
  t: 'batch';
  id: string;
  fileName: string;
  filePath: string;
  fileHash: string;
  delimiter: BatchDelimiter;
  mapping: BatchMapping;
  rows: number;
  valid: number;
  invalid: number;
  /** The valid rows' control totals: currency, count, sum in minor units (absent in records written before they were kept). */
  totals?: [string, number, number][];
  at: number;
}

/**
 * Committed in the same journal frame as the chunk's payment rows: after a
 * crash the payments and the progress that counts them come back together.
 */
export interface BatchProgressRecord {
  t: 'batch-progress';
  id: string;
  /** Data rows of the file consumed so far (paid, rejected or skipped); resume starts after them. */
  rowsDone: number;
  accepted: number;
  rejected: number;
  skipped: number;
  reasons: Record<string, number>;
  firstSeq: number | null;
  lastSeq: number | null;
  runningMs: number;
}

export interface BatchStatusRecord {
  t: 'batch-status';
  id: string;
  status: BatchStatus;
  at: number;
  problem: string | null;
}

/**
 * Another desk of a shared ledger asks the desk that runs the batch to pause or
 * cancel it. That run reads the request at its next chunk, in its turn (so with
 * the ledger current), and stops exactly as if asked on its own desk; the
 * status change that ends the run clears the request.
 */
export interface BatchStopRequestRecord {
  t: 'batch-stop-request';
  id: string;
  status: 'paused' | 'cancelled';
  at: number;
}

export interface BatchPresetRecord {
  t: 'batch-preset';
  name: string;
  mapping: BatchMapping;
  delimiter: BatchDelimiter | null;
  at: number;
}

/** A row of the file that failed a check when its chunk was processed: no payment was made, but it is part of the results. */
export interface RefusedRow {
  line: number;
  /** The cells as the file holds them (trimmed); any of them may be blank or malformed. */
  paymentId: string;
  debtor: string;
  creditor: string;
  amountText: string;
  /** The amount in minor units when the file's amount could be read for its currency. */
  amountMinor: number | null;
  currency: string;
  reference: string;
  code: ReasonCode;
  message: string;
}

/** The rows of one chunk that were refused, committed in the chunk's own journal frame. */
export interface BatchRefusedRecord {
  t: 'batch-refused';
  id: string;
  at: number;
  rows: RefusedRow[];
}

export type BatchRecord =
  | BatchCreatedRecord | BatchProgressRecord | BatchStatusRecord | BatchPresetRecord | BatchRefusedRecord | BatchStopRequestRecord;

/** Where refused rows are counted besides their own table (the metrics aggregates): every row of a batch counts in PSR. */
export interface RefusedRowCounter {
  recordRefused(batchId: string, atMs: number, code: string): void;
}

export const batchSchemaStatements = [
  `CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    file_path TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    delimiter TEXT NOT NULL,
    mapping TEXT NOT NULL,
    status TEXT NOT NULL,
    problem TEXT,
    rows_total INTEGER NOT NULL,
    rows_valid INTEGER NOT NULL,
    rows_invalid INTEGER NOT NULL,
    rows_done INTEGER NOT NULL DEFAULT 0,
    accepted INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    reasons TEXT NOT NULL DEFAULT '{}',
    first_seq INTEGER,
    last_seq INTEGER,
    running_ms INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL,
    started_at_ms INTEGER,
    finished_at_ms INTEGER
  ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS batches_by_hash ON batches(file_hash)`,
  `CREATE TABLE IF NOT EXISTS batch_refused_rows (
    batch_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    debtor TEXT NOT NULL,
    creditor TEXT NOT NULL,
    amount_text TEXT NOT NULL,
    amount_minor INTEGER,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    refused_at_ms INTEGER NOT NULL,
    PRIMARY KEY (batch_id, line)
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS batch_control_totals (
    batch_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    count INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (batch_id, currency)
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS batch_stop_requests (
    batch_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    requested_at_ms INTEGER NOT NULL
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS batch_presets (
    name TEXT PRIMARY KEY,
    mapping TEXT NOT NULL,
    delimiter TEXT,
    updated_at_ms INTEGER NOT NULL
  ) WITHOUT ROWID`,
];

/** Statuses a batch never leaves: it will not run again. */
export const finishedStatuses: readonly BatchStatus[] = ['cancelled', 'completed', 'abandoned', 'rejected'];

export function isBatchRecord(record: { t: string }): record is BatchRecord {
  return (
    record.t === 'batch' || record.t === 'batch-progress' || record.t === 'batch-status' || record.t === 'batch-preset'
    || record.t === 'batch-refused' || record.t === 'batch-stop-request'
  );
}

const insertRefusedSql = `INSERT OR REPLACE INTO batch_refused_rows
  (batch_id, line, payment_id, debtor, creditor, amount_text, amount_minor, currency, reference, code, message, refused_at_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function applyBatchRecord(database: SqliteDatabase, record: BatchRecord, counter?: RefusedRowCounter): void {
  switch (record.t) {
    case 'batch-refused':
      for (const row of record.rows) {
        database.run(insertRefusedSql, [
          record.id, row.line, row.paymentId, row.debtor, row.creditor, row.amountText, row.amountMinor, row.currency, row.reference,
          row.code, row.message, record.at,
        ]);
        counter?.recordRefused(record.id, record.at, row.code);
      }
      return;
    case 'batch':
      database.run(
        `INSERT INTO batches (id, file_name, file_path, file_hash, delimiter, mapping, status, rows_total, rows_valid, rows_invalid, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, 'validated', ?, ?, ?, ?)`,
        [record.id, record.fileName, record.filePath, record.fileHash, record.delimiter, JSON.stringify(record.mapping),
          record.rows, record.valid, record.invalid, record.at],
      );
      for (const [currency, count, amountMinor] of record.totals ?? []) {
        database.run('INSERT INTO batch_control_totals (batch_id, currency, count, amount_minor) VALUES (?, ?, ?, ?)', [
          record.id, currency, count, amountMinor,
        ]);
      }
      return;
    case 'batch-progress':
      database.run(
        `UPDATE batches SET rows_done = ?, accepted = ?, rejected = ?, skipped = ?, reasons = ?,
           first_seq = COALESCE(first_seq, ?), last_seq = COALESCE(?, last_seq), running_ms = ? WHERE id = ?`,
        [record.rowsDone, record.accepted, record.rejected, record.skipped, JSON.stringify(record.reasons),
          record.firstSeq, record.lastSeq, record.runningMs, record.id],
      );
      assertOneRowChanged(database, record.id);
      return;
    case 'batch-status':
      database.run(
        `UPDATE batches SET status = ?, problem = ?,
           started_at_ms = CASE WHEN ? = 'running' THEN COALESCE(started_at_ms, ?) ELSE started_at_ms END,
           finished_at_ms = CASE WHEN ? THEN ? ELSE finished_at_ms END WHERE id = ?`,
        [record.status, record.problem, record.status, record.at, finishedStatuses.includes(record.status) ? 1 : 0, record.at, record.id],
      );
      assertOneRowChanged(database, record.id);
      database.run('DELETE FROM batch_stop_requests WHERE batch_id = ?', [record.id]);
      return;
    case 'batch-stop-request':
      // A cancel asked once stays a cancel: a later pause request does not soften it.
      database.run(
        `INSERT INTO batch_stop_requests (batch_id, status, requested_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (batch_id) DO UPDATE SET status = CASE WHEN status = 'cancelled' THEN status ELSE excluded.status END,
           requested_at_ms = excluded.requested_at_ms`,
        [record.id, record.status, record.at],
      );
      return;
    case 'batch-preset':
      database.run('INSERT OR REPLACE INTO batch_presets (name, mapping, delimiter, updated_at_ms) VALUES (?, ?, ?, ?)', [
        record.name, JSON.stringify(record.mapping), record.delimiter, record.at,
      ]);
      return;
  }
}

function assertOneRowChanged(database: SqliteDatabase, batchId: string): void {
  if (database.changes !== 1) throw new Error(`batch record names batch ${batchId}, which is not in the ledger`);
}
