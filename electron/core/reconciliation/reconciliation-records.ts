import type { MatchRule, RunStatus, StatementFormat } from '../../../shared/reconciliation';
import type { SqliteDatabase } from '../storage/sqlite';

/**
 * Reconciliation's journal records and the tables they land in. A run is
 * stored whole (its statement lines, the automatic matches and the notes on
 * ambiguous lines) in one journal frame; every decision by hand (match,
 * unmatch, finish, reopen) is its own record, acknowledged only once durable,
 * and is also kept in a decisions table for the audit trail. Records carry
 * absolute values so replay after a crash lands on the state acknowledged.
 */

/** One statement line: line, booking date, amount, reference, description, end-to-end id, note, candidate ids (space separated). */
export type StoredLine = [number, string, number, string, string, string | null, string | null, string];
/** One match: statement line, rule, confidence, amount difference, payment ids (space separated). */
export type StoredMatch = [number, MatchRule, number, number, string];

export interface ReconciliationRunRecord {
  t: 'recon-run';
  id: string;
  account: string;
  currency: string;
  fromDate: string;
  toDate: string;
  fileName: string;
  format: StatementFormat;
  /** The ledger's payments of the period are those of the account with seq in [firstSeq, lastSeq]. */
  firstSeq: number;
  lastSeq: number;
  toleranceMinor: number;
  dateWindowDays: number;
  openingMinor: number | null;
  closingMinor: number | null;
  ledgerEntries: number;
  ledgerOpeningMinor: number;
  ledgerClosingMinor: number;
  lines: StoredLine[];
  matches: StoredMatch[];
  at: number;
  /** Which statement of the file was reconciled; absent in runs journaled before files could hold several. */
  formatVersion?: string;
  statementId?: string | null;
  statementAccount?: string | null;
}

export interface ReconciliationMatchRecord {
  t: 'recon-match';
  id: string;
  line: number;
  paymentIds: string[];
  amountDifferenceMinor: number;
  at: number;
}

export interface ReconciliationUnmatchRecord {
  t: 'recon-unmatch';
  id: string;
  line: number;
  at: number;
}

export interface ReconciliationStatusRecord {
  t: 'recon-status';
  id: string;
  status: RunStatus;
  at: number;
}

export type ReconciliationRecord = ReconciliationRunRecord | ReconciliationMatchRecord | ReconciliationUnmatchRecord | ReconciliationStatusRecord;

export const reconciliationSchemaStatements = [
  `CREATE TABLE IF NOT EXISTS reconciliation_runs (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    tolerance_minor INTEGER NOT NULL,
    date_window_days INTEGER NOT NULL,
    statement_opening_minor INTEGER,
    statement_closing_minor INTEGER,
    ledger_entries INTEGER NOT NULL,
    ledger_opening_minor INTEGER NOT NULL,
    ledger_closing_minor INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    finished_at_ms INTEGER
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS reconciliation_lines (
    run_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    booking_date TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    reference TEXT NOT NULL,
    description TEXT NOT NULL,
    end_to_end_id TEXT,
    note TEXT,
    candidates TEXT NOT NULL,
    PRIMARY KEY (run_id, line)
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS reconciliation_matches (
    run_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    rule TEXT NOT NULL,
    confidence REAL NOT NULL,
    amount_difference_minor INTEGER NOT NULL,
    payment_ids TEXT NOT NULL,
    decided_at_ms INTEGER NOT NULL,
    PRIMARY KEY (run_id, line)
  ) WITHOUT ROWID`,
  // Beside the runs rather than new columns of theirs, so a ledger from before opens with CREATE ... IF NOT EXISTS alone.
  `CREATE TABLE IF NOT EXISTS reconciliation_run_statements (
    run_id TEXT PRIMARY KEY,
    format_version TEXT NOT NULL,
    statement_id TEXT,
    statement_account TEXT
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS reconciliation_decisions (
    run_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    action TEXT NOT NULL,
    line INTEGER,
    payment_ids TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS reconciliation_decisions_by_run ON reconciliation_decisions(run_id)`,
];

export function isReconciliationRecord(record: { t: string }): record is ReconciliationRecord {
  return record.t === 'recon-run' || record.t === 'recon-match' || record.t === 'recon-unmatch' || record.t === 'recon-status';
}

export function applyReconciliationRecord(database: SqliteDatabase, record: ReconciliationRecord): void {
  switch (record.t) {
    case 'recon-run':
      return applyRun(database, record);
    case 'recon-match':
      database.run(
        'INSERT INTO reconciliation_matches (run_id, line, rule, confidence, amount_difference_minor, payment_ids, decided_at_ms) VALUES (?, ?, ?, 1, ?, ?, ?)',
        [record.id, record.line, 'manual', record.amountDifferenceMinor, record.paymentIds.join(' '), record.at],
      );
      return decision(database, record.id, record.at, 'match', record.line, record.paymentIds.join(' '));
    case 'recon-unmatch': {
      const paymentIds = database.value('SELECT payment_ids FROM reconciliation_matches WHERE run_id = ? AND line = ?', [record.id, record.line]);
      database.run('DELETE FROM reconciliation_matches WHERE run_id = ? AND line = ?', [record.id, record.line]);
      return decision(database, record.id, record.at, 'unmatch', record.line, paymentIds === undefined ? null : String(paymentIds));
    }
    case 'recon-status':
      database.run('UPDATE reconciliation_runs SET status = ?, finished_at_ms = ? WHERE id = ?', [
        record.status, record.status === 'finished' ? record.at : null, record.id,
      ]);
      return decision(database, record.id, record.at, record.status === 'finished' ? 'finish' : 'reopen', null, null);
  }
}

function decision(database: SqliteDatabase, runId: string, atMs: number, action: string, line: number | null, paymentIds: string | null): void {
  database.run('INSERT INTO reconciliation_decisions (run_id, at_ms, action, line, payment_ids) VALUES (?, ?, ?, ?, ?)', [
    runId, atMs, action, line, paymentIds,
  ]);
}

function applyRun(database: SqliteDatabase, record: ReconciliationRunRecord): void {
  database.run(
    `INSERT INTO reconciliation_runs (id, account, currency, from_date, to_date, file_name, format, first_seq, last_seq, tolerance_minor,
      date_window_days, statement_opening_minor, statement_closing_minor, ledger_entries, ledger_opening_minor, ledger_closing_minor,
      status, created_at_ms, finished_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, NULL)`,
    [
      record.id, record.account, record.currency, record.fromDate, record.toDate, record.fileName, record.format, record.firstSeq, record.lastSeq,
      record.toleranceMinor, record.dateWindowDays, record.openingMinor, record.closingMinor,
      record.ledgerEntries, record.ledgerOpeningMinor, record.ledgerClosingMinor, record.at,
    ],
  );
  if (record.formatVersion !== undefined) {
    database.run('INSERT INTO reconciliation_run_statements (run_id, format_version, statement_id, statement_account) VALUES (?, ?, ?, ?)', [
      record.id, record.formatVersion, record.statementId ?? null, record.statementAccount ?? null,
    ]);
  }
  const lineColumns = 'run_id, line, booking_date, amount_minor, reference, description, end_to_end_id, note, candidates';
  insertMany(database, `INSERT INTO reconciliation_lines (${lineColumns}) VALUES `, 9, record.lines.map((line) => [record.id, ...line]));
  const matchColumns = 'run_id, line, rule, confidence, amount_difference_minor, payment_ids, decided_at_ms';
  insertMany(database, `INSERT INTO reconciliation_matches (${matchColumns}) VALUES `, 7, record.matches.map((match) => [record.id, ...match, record.at]));
  decision(database, record.id, record.at, 'run', null, null);
}

/** Rows per INSERT statement: one statement per row costs more in sql.js than the rows themselves. */
const rowsPerInsert = 100;

function insertMany(database: SqliteDatabase, prefix: string, columns: number, rows: (string | number | null)[][]): void {
  const placeholders = `(${new Array(columns).fill('?').join(', ')})`;
  for (let start = 0; start < rows.length; start += rowsPerInsert) {
    const slice = rows.slice(start, start + rowsPerInsert);
    database.run(prefix + new Array(slice.length).fill(placeholders).join(', '), slice.flat());
  }
}
