import type {
  LedgerEntryView, MatchRule, MatchView, ReconciliationReport, RunStatus, RunSummary, StatementFormat, StatementLine, UnmatchedStatementLine,
} from '../../../shared/reconciliation';
import type { SqliteDatabase } from '../storage/sqlite';
import type { LedgerEntry } from './ledger-entries';

/**
 * Reading a kept run back: its summary straight from SQL (the list of runs
 * stays cheap), and the three panes from its stored lines and matches and
 * the ledger entries of its period.
 */

export interface RunRow {
  id: string;
  account: string;
  currency: string;
  from_date: string;
  to_date: string;
  file_name: string;
  format: StatementFormat;
  first_seq: number;
  last_seq: number;
  tolerance_minor: number;
  date_window_days: number;
  statement_opening_minor: number | null;
  statement_closing_minor: number | null;
  ledger_entries: number;
  ledger_opening_minor: number;
  ledger_closing_minor: number;
  status: RunStatus;
  created_at_ms: number;
  finished_at_ms: number | null;
  format_version: string | null;
  statement_id: string | null;
  statement_account: string | null;
}

const runRowSql = `SELECT r.*, s.format_version, s.statement_id, s.statement_account
  FROM reconciliation_runs r LEFT JOIN reconciliation_run_statements s ON s.run_id = r.id`;

export function readRunRow(database: SqliteDatabase, runId: string): RunRow | undefined {
  return database.get<RunRow>(`${runRowSql} WHERE r.id = ?`, [runId]);
}

export function listRunRows(database: SqliteDatabase, account: string | undefined, limit: number): RunRow[] {
  if (account === undefined) return database.all<RunRow>(`${runRowSql} ORDER BY r.created_at_ms DESC, r.id DESC LIMIT ?`, [limit]);
  return database.all<RunRow>(`${runRowSql} WHERE r.account = ? ORDER BY r.created_at_ms DESC, r.id DESC LIMIT ?`, [account, limit]);
}

interface Counts {
  lines: number;
  linesSumMinor: number;
  matched: number;
  matchedPayments: number;
  mismatches: number;
}

function counts(database: SqliteDatabase, runId: string): Counts {
  const lines = database.get<{ lines: number; sum: number }>(
    'SELECT COUNT(*) AS lines, COALESCE(SUM(amount_minor), 0) AS sum FROM reconciliation_lines WHERE run_id = ?',
    [runId],
  );
  const matches = database.get<{ matched: number; payments: number; mismatches: number }>(
    `SELECT COUNT(*) AS matched,
       COALESCE(SUM(length(payment_ids) - length(replace(payment_ids, ' ', '')) + 1), 0) AS payments,
       COALESCE(SUM(amount_difference_minor != 0), 0) AS mismatches
     FROM reconciliation_matches WHERE run_id = ?`,
    [runId],
  );
  return {
    lines: lines?.lines ?? 0, linesSumMinor: lines?.sum ?? 0,
    matched: matches?.matched ?? 0, matchedPayments: matches?.payments ?? 0, mismatches: matches?.mismatches ?? 0,
  };
}

export function runSummary(database: SqliteDatabase, row: RunRow): RunSummary {
  const counted = counts(database, row.id);
  const stated = row.statement_closing_minor !== null;
  // Without a stated closing balance, the statement's closing is the ledger's opening moved by the statement's own lines.
  const statementClosingMinor = stated ? row.statement_closing_minor! : row.ledger_opening_minor + counted.linesSumMinor;
  return {
    runId: row.id, account: row.account, currency: row.currency, fromDate: row.from_date, toDate: row.to_date, fileName: row.file_name,
    format: row.format, formatVersion: row.format_version, statementId: row.statement_id, statementAccount: row.statement_account,
    status: row.status, createdAtMs: row.created_at_ms, finishedAtMs: row.finished_at_ms,
    statementLines: counted.lines, ledgerEntries: row.ledger_entries, matched: counted.matched,
    unmatchedStatement: counted.lines - counted.matched, unmatchedLedger: row.ledger_entries - counted.matchedPayments,
    amountMismatches: counted.mismatches, statementOpeningMinor: row.statement_opening_minor, ledgerOpeningMinor: row.ledger_opening_minor,
    openingDifferenceMinor: row.statement_opening_minor === null ? null : row.statement_opening_minor - row.ledger_opening_minor,
    statementClosingMinor, closingBalanceSource: stated ? 'statement' : 'derived',
    ledgerClosingMinor: row.ledger_closing_minor, closingDifferenceMinor: statementClosingMinor - row.ledger_closing_minor,
  };
}

interface LineRow {
  line: number;
  booking_date: string;
  amount_minor: number;
  reference: string;
  description: string;
  end_to_end_id: string | null;
  note: string | null;
  candidates: string;
}

interface MatchRow {
  line: number;
  rule: MatchRule;
  confidence: number;
  amount_difference_minor: number;
  payment_ids: string;
  decided_at_ms: number;
}

function toLine(row: LineRow): StatementLine {
  return {
    line: row.line, bookingDate: row.booking_date, amountMinor: row.amount_minor, reference: row.reference,
    description: row.description, endToEndId: row.end_to_end_id,
  };
}

export function toEntryView(entry: LedgerEntry): LedgerEntryView {
  return {
    paymentId: entry.paymentId, amountMinor: entry.amountMinor, bookingDate: entry.bookingDate, reference: entry.reference,
    counterparty: entry.counterparty, batchId: entry.batchId,
  };
}

export function readMatches(database: SqliteDatabase, runId: string): MatchRow[] {
  return database.all<MatchRow>(
    'SELECT line, rule, confidence, amount_difference_minor, payment_ids, decided_at_ms FROM reconciliation_matches WHERE run_id = ?',
    [runId],
  );
}

/** The run's report; each pane holds at most `paneItems` items (all of them when exporting). */
export function buildReport(database: SqliteDatabase, row: RunRow, entries: readonly LedgerEntry[], paneItems: number): ReconciliationReport {
  // Each pane is read with its own LIMIT: a screenful of a 100,000-line run costs a screenful of rows, not the whole run.
  const matchRows = database.all<MatchRow & LineRow>(
    `SELECT m.line, m.rule, m.confidence, m.amount_difference_minor, m.payment_ids, m.decided_at_ms,
       l.booking_date, l.amount_minor, l.reference, l.description, l.end_to_end_id
     FROM reconciliation_matches m JOIN reconciliation_lines l ON l.run_id = m.run_id AND l.line = m.line
     WHERE m.run_id = ? ORDER BY m.line LIMIT ?`,
    [row.id, paneItems],
  );
  const unmatchedRows = database.all<LineRow>(
    `SELECT l.* FROM reconciliation_lines l WHERE l.run_id = ?
       AND NOT EXISTS (SELECT 1 FROM reconciliation_matches m WHERE m.run_id = l.run_id AND m.line = l.line)
     ORDER BY l.line LIMIT ?`,
    [row.id, paneItems],
  );
  const matchedPayments = new Set<string>();
  for (const [paymentIds] of database.rows('SELECT payment_ids FROM reconciliation_matches WHERE run_id = ?', [row.id])) {
    for (const paymentId of (paymentIds as string).split(' ')) matchedPayments.add(paymentId);
  }
  // Only the entries the matches pane shows are looked up by id: a map of every entry would cost more than the rest of the report.
  const shownPayments = new Set(matchRows.flatMap((match) => match.payment_ids.split(' ')));
  const entryById = new Map<string, LedgerEntry>();
  for (const entry of entries) {
    if (entryById.size === shownPayments.size) break;
    if (shownPayments.has(entry.paymentId)) entryById.set(entry.paymentId, entry);
  }
  const matches: MatchView[] = matchRows.map((match) => ({
    statementLine: toLine(match),
    payments: match.payment_ids.split(' ').flatMap((paymentId) => {
      const entry = entryById.get(paymentId);
      return entry === undefined ? [] : [toEntryView(entry)];
    }),
    rule: match.rule, confidence: match.confidence, amountDifferenceMinor: match.amount_difference_minor, decidedAtMs: match.decided_at_ms,
  }));
  const unmatchedStatement: UnmatchedStatementLine[] = unmatchedRows.map((line) => ({
    ...toLine(line), note: line.note, candidates: line.candidates === '' ? [] : line.candidates.split(' '),
  }));
  const unmatchedLedger: LedgerEntryView[] = [];
  for (const entry of entries) {
    if (unmatchedLedger.length >= paneItems) break;
    if (!matchedPayments.has(entry.paymentId)) unmatchedLedger.push(toEntryView(entry));
  }
  const summary = runSummary(database, row);
  const truncated =
    summary.matched > matches.length || summary.unmatchedStatement > unmatchedStatement.length || summary.unmatchedLedger > unmatchedLedger.length;
  return { summary, matches, unmatchedStatement, unmatchedLedger, truncated };
}
