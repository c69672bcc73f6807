import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ParsedRequestOf } from '../../../shared/contract';
import { currencyExponent } from '../../../shared/currencies';
import { failure, success, type Result } from '../../../shared/result';
import {
  reconciliationLimits, reconciliationReportCsv, type ParsedStatement, type ParsedStatementFile, type ReconciliationReport, type StatementFileView,
  type ReportExport, type RunStatus,
  type RunSummary, type StatementUploadReceipt,
} from '../../../shared/reconciliation';
import type { EngineApi } from '../engine-api';
import type { AccountState } from '../ledger-state';
import { balanceAfterSeq, loadLedgerEntries, periodSeqRange, type LedgerEntry } from './ledger-entries';
import { matchStatement, type MatchOutcome } from './matcher';
import type { ReconciliationRunRecord, StoredLine, StoredMatch } from './reconciliation-records';
import { buildReport, listRunRows, readMatches, readRunRow, runSummary, type RunRow } from './reconciliation-report';
import { dayNumber, isValidIsoDate } from './statement-dates';
import { parseStatementFile } from './statement-parse';
import { accountForIdentifier } from '../accounts/account-identifiers';

/** Days either side of a statement line the amount-and-date pass looks at, unless the operator says otherwise. */
export const defaultDateWindowDays = 3;

interface Upload {
  fileName: string;
  chunks: string[];
  chars: number;
}

type RunRequest = ParsedRequestOf<'reconciliation-run'>;
type InspectRequest = ParsedRequestOf<'reconciliation-inspect'>;

/**
 * Reconciliation runs: statement uploads (kept in memory, bounded), runs
 * (parse, load the period's ledger entries, match, store the run as one
 * durable record), decisions by hand, and reports. The period's ledger
 * entries of the run last looked at are cached: payments never change, so a
 * run's entries are the same until the ledger is closed.
 */
export class ReconciliationService {
  private readonly uploads = new Map<string, Upload>();
  private cachedEntries: { runId: string; entries: LedgerEntry[] } | null = null;

  constructor(private readonly engine: EngineApi) {}

  private get database() {
    return this.engine.store.database;
  }

  upload(request: ParsedRequestOf<'reconciliation-upload'>): Result<StatementUploadReceipt> {
    if (request.uploadId === null) {
      if (request.offset !== 0) return failure('FF01', 'A new upload starts at offset 0.', 'offset');
      return success(this.addStatementText(request.fileName, request.text));
    }
    const upload = this.uploads.get(request.uploadId);
    if (upload === undefined) return failure('NOT_FOUND', 'No statement upload with that id is under way; drop the file again.', 'uploadId');
    if (request.offset !== upload.chars) {
      return failure('FF01', `The upload holds ${upload.chars} characters but this chunk starts at ${request.offset}.`, 'offset');
    }
    if (upload.chars + request.text.length > reconciliationLimits.statementChars) {
      this.uploads.delete(request.uploadId);
      return failure('FF01', `A statement may hold at most ${reconciliationLimits.statementChars} characters.`, 'text');
    }
    upload.chunks.push(request.text);
    upload.chars += request.text.length;
    return success({ uploadId: request.uploadId, charsReceived: upload.chars });
  }

  /** A whole statement at once (the CLI, tests); the page sends it in chunks through `upload`. */
  addStatementText(fileName: string, text: string): StatementUploadReceipt {
    while (this.uploads.size >= reconciliationLimits.uploadsKept) this.uploads.delete(this.uploads.keys().next().value!);
    const uploadId = randomBytes(16).toString('hex');
    this.uploads.set(uploadId, { fileName: path.basename(fileName), chunks: [text], chars: text.length });
    return { uploadId, charsReceived: text.length };
  }

  /** Reads a kept upload as a statement file; `account` (when named) gives CSV files without a currency column theirs. */
  private parseUpload(request: InspectRequest): Result<{ upload: Upload; file: ParsedStatementFile; account: AccountState | undefined }> {
    const account = request.account === undefined ? undefined : this.engine.store.state.accounts.get(request.account);
    if (request.account !== undefined && account === undefined) {
      return failure('AC01', `The account ${request.account} does not exist in this ledger.`, 'account');
    }
    const upload = this.uploads.get(request.uploadId);
    if (upload === undefined) return failure('NOT_FOUND', 'No statement upload with that id is kept; drop the file again.', 'uploadId');
    const text = upload.chunks.length === 1 ? upload.chunks[0] : upload.chunks.join('');
    upload.chunks = [text];
    const file = parseStatementFile(text, { ...request, defaultCurrency: account?.currency ?? '' });
    if (!file.ok) return file;
    return success({ upload, file: file.value, account });
  }

  /** What a dropped file holds: its format and version, and each statement with its id, account, period and the ledger account it names. */
  inspect(request: InspectRequest): Result<StatementFileView> {
    const parsed = this.parseUpload(request);
    if (!parsed.ok) return parsed;
    const { file } = parsed.value;
    const statements = file.statements.map((statement, index) => {
      const span = bookingSpan(statement);
      return {
        index, statementId: statement.statementId, account: statement.account,
        ledgerAccount: statement.account === null ? null : accountForIdentifier(this.database, statement.account),
        currency: statement.currency, lines: statement.lines.length, fromDate: statement.fromDate ?? span.fromDate, toDate: statement.toDate ?? span.toDate,
        openingBalanceMinor: statement.openingBalanceMinor, closingBalanceMinor: statement.closingBalanceMinor,
      };
    });
    return success({ format: file.format, version: file.version, statements });
  }

  async run(request: RunRequest): Promise<Result<ReconciliationReport>> {
    const parsed = this.parseUpload(request);
    if (!parsed.ok) return parsed;
    const { upload, file } = parsed.value;
    const chosen = chooseStatement(file, request.statement);
    if (!chosen.ok) return chosen;
    const statement = chosen.value;
    const account = parsed.value.account ?? this.accountNamedBy(statement);
    if (account === undefined) return failure('AC01', statementAccountUnknown(statement), 'account');
    if (statement.currency !== account.currency) {
      return failure('AM03', `The statement is in ${statement.currency} but the account ${account.code} is in ${account.currency}.`, 'account');
    }
    const period = choosePeriod(statement, request.fromDate, request.toDate);
    if (!period.ok) return period;
    const record = this.reconcile(account, upload.fileName, statement, period.value, request);
    Object.assign(record.record, { formatVersion: file.version, statementId: statement.statementId, statementAccount: statement.account?.value ?? null });
    const lsn = this.engine.store.commit([record.record]);
    await this.engine.store.whenDurable(lsn);
    // A file with several statements stays for the others (uploads are bounded by uploadsKept); one with one is done.
    if (file.statements.length === 1) this.uploads.delete(request.uploadId);
    this.cachedEntries = { runId: record.record.id, entries: record.entries };
    return this.report(record.record.id);
  }

  private accountNamedBy(statement: ParsedStatement): AccountState | undefined {
    const code = statement.account === null ? null : accountForIdentifier(this.database, statement.account);
    return code === null ? undefined : this.engine.store.state.accounts.get(code);
  }

  private reconcile(account: AccountState, fileName: string, statement: ParsedStatement, period: Period, request: RunRequest) {
    const range = periodSeqRange(this.database, period.fromDate, period.toDate);
    const entries = loadLedgerEntries(this.database, account.id, range);
    const lines = statement.lines.filter((line) => line.bookingDate >= period.fromDate && line.bookingDate <= period.toDate);
    const options = {
      toleranceMinor: request.toleranceMinor ?? 10 ** (currencyExponent(account.currency) ?? 2),
      dateWindowDays: request.dateWindowDays ?? defaultDateWindowDays,
    };
    const matchable = lines.map((line) => ({ ...line, day: dayNumber(line.bookingDate) }));
    const outcome = matchStatement(matchable, entries, options);
    const record: ReconciliationRunRecord = {
      t: 'recon-run', id: newRunId(), account: account.code, currency: account.currency, fromDate: period.fromDate, toDate: period.toDate,
      fileName, format: statement.format, firstSeq: range.firstSeq, lastSeq: range.lastSeq, ...options,
      openingMinor: statement.openingBalanceMinor, closingMinor: statement.closingBalanceMinor, ledgerEntries: entries.length,
      ledgerOpeningMinor: balanceAfterSeq(this.database, account.id, account.balanceMinor, range.firstSeq - 1),
      ledgerClosingMinor: balanceAfterSeq(this.database, account.id, account.balanceMinor, range.lastSeq),
      ...storedOutcome(lines, entries, outcome), at: Date.now(),
    };
    return { record, entries };
  }

  report(runId: string, paneItems: number = reconciliationLimits.paneItems): Result<ReconciliationReport> {
    const row = readRunRow(this.database, runId);
    if (row === undefined) return failure('NOT_FOUND', `No reconciliation run ${runId} is kept in this ledger.`, 'runId');
    return success(buildReport(this.database, row, this.entriesOf(row), paneItems));
  }

  list(account: string | undefined): RunSummary[] {
    return listRunRows(this.database, account, reconciliationLimits.runsListed).map((row) => runSummary(this.database, row));
  }

  async match(request: ParsedRequestOf<'reconciliation-match'>): Promise<Result<ReconciliationReport>> {
    const row = this.openRun(request.runId);
    if (!row.ok) return row;
    const line = this.database.get<{ amount_minor: number }>('SELECT amount_minor FROM reconciliation_lines WHERE run_id = ? AND line = ?', [
      request.runId, request.statementLine,
    ]);
    if (line === undefined) return failure('NOT_FOUND', `The run has no statement line ${request.statementLine}.`, 'statementLine');
    const taken = new Set<string>();
    let lineMatched = false;
    for (const match of readMatches(this.database, request.runId)) {
      if (match.line === request.statementLine) lineMatched = true;
      for (const paymentId of match.payment_ids.split(' ')) taken.add(paymentId);
    }
    if (lineMatched) return failure('FF01', `Statement line ${request.statementLine} is already matched; unmatch it first.`, 'statementLine');
    const byId = new Map(this.entriesOf(row.value).map((entry) => [entry.paymentId, entry]));
    const paymentIds = [...new Set(request.paymentIds)];
    let ledgerMinor = 0;
    for (const paymentId of paymentIds) {
      const entry = byId.get(paymentId);
      if (entry === undefined) return failure('NOT_FOUND', `Payment ${paymentId} is not a ledger entry of this run's account and period.`, 'paymentIds');
      if (taken.has(paymentId)) return failure('FF01', `Payment ${paymentId} is already matched to another statement line.`, 'paymentIds');
      ledgerMinor += entry.amountMinor;
    }
    const at = Date.now();
    const amountDifferenceMinor = line.amount_minor - ledgerMinor;
    await this.durably({ t: 'recon-match', id: request.runId, line: request.statementLine, paymentIds, amountDifferenceMinor, at });
    return this.report(request.runId);
  }

  async unmatch(request: ParsedRequestOf<'reconciliation-unmatch'>): Promise<Result<ReconciliationReport>> {
    const row = this.openRun(request.runId);
    if (!row.ok) return row;
    const matched = this.database.value('SELECT 1 FROM reconciliation_matches WHERE run_id = ? AND line = ?', [request.runId, request.statementLine]);
    if (matched === undefined) return failure('FF01', `Statement line ${request.statementLine} is not matched.`, 'statementLine');
    await this.durably({ t: 'recon-unmatch', id: request.runId, line: request.statementLine, at: Date.now() });
    return this.report(request.runId);
  }

  async setStatus(runId: string, status: RunStatus): Promise<Result<ReconciliationReport>> {
    const row = readRunRow(this.database, runId);
    if (row === undefined) return failure('NOT_FOUND', `No reconciliation run ${runId} is kept in this ledger.`, 'runId');
    if (row.status !== status) await this.durably({ t: 'recon-status', id: runId, status, at: Date.now() });
    return this.report(runId);
  }

  exportReport(runId: string): Result<ReportExport> {
    const report = this.report(runId, Number.MAX_SAFE_INTEGER);
    if (!report.ok) return report;
    const summary = report.value.summary;
    const fileName = `reconciliation-${summary.account}-${summary.fromDate}-${summary.toDate}-${runId}.csv`;
    return success({ fileName, csv: reconciliationReportCsv(report.value) });
  }

  private openRun(runId: string): Result<RunRow> {
    const row = readRunRow(this.database, runId);
    if (row === undefined) return failure('NOT_FOUND', `No reconciliation run ${runId} is kept in this ledger.`, 'runId');
    if (row.status === 'finished') return failure('FF01', 'The run is marked finished; reopen it to change its matches.', 'runId');
    return success(row);
  }

  private async durably(record: Parameters<EngineApi['store']['commit']>[0][number]): Promise<void> {
    const lsn = this.engine.store.commit([record]);
    await this.engine.store.whenDurable(lsn);
  }

  private entriesOf(row: RunRow): LedgerEntry[] {
    if (this.cachedEntries?.runId === row.id) return this.cachedEntries.entries;
    const account = this.engine.store.state.accounts.get(row.account);
    const entries = account === undefined ? [] : loadLedgerEntries(this.database, account.id, { firstSeq: row.first_seq, lastSeq: row.last_seq });
    this.cachedEntries = { runId: row.id, entries };
    return entries;
  }
}

interface Period {
  fromDate: string;
  toDate: string;
}

/** The first and last booking dates of a statement's lines. */
function bookingSpan(statement: ParsedStatement): Period {
  let first = statement.lines[0].bookingDate;
  let last = first;
  for (const line of statement.lines) {
    if (line.bookingDate < first) first = line.bookingDate;
    if (line.bookingDate > last) last = line.bookingDate;
  }
  return { fromDate: first, toDate: last };
}

/** The statement a run reconciles: the one named, or the only one; a file with several needs the choice. */
function chooseStatement(file: ParsedStatementFile, index: number | undefined): Result<ParsedStatement> {
  if (index === undefined && file.statements.length === 1) return success(file.statements[0]);
  if (index !== undefined && index < file.statements.length) return success(file.statements[index]);
  const listed = file.statements.map((statement, position) => `${position}: ${describeStatement(statement)}`).join('; ');
  if (index !== undefined) {
    return failure('NOT_FOUND', `The file holds ${file.statements.length} statements (${listed}); there is no statement ${index}.`, 'statement');
  }
  return failure('FF01', `The file holds ${file.statements.length} statements (${listed}); choose which to reconcile.`, 'statement');
}

export function describeStatement(statement: ParsedStatement): string {
  const span = bookingSpan(statement);
  const account = statement.account === null ? 'no account named' : `${statement.account.kind === 'iban' ? 'IBAN' : 'account'} ${statement.account.value}`;
  return `${statement.statementId ?? 'statement'}, ${account}, ${statement.fromDate ?? span.fromDate} to ${statement.toDate ?? span.toDate}`;
}

function statementAccountUnknown(statement: ParsedStatement): string {
  if (statement.account === null) return 'The statement names no account (a CSV file never does); choose the account to reconcile.';
  const named = statement.account.kind === 'iban' ? `the IBAN ${statement.account.value}` : `the account id ${statement.account.value}`;
  return `The statement names ${named}, which no ledger account carries; choose the account, ` +
    'or add the identifier to it under Bank identifiers in its statement on the Accounts page.';
}

/** The period asked for, or the one the statement states, or its own first and last booking dates. */
function choosePeriod(statement: ParsedStatement, fromDate: string | undefined, toDate: string | undefined): Result<Period> {
  const span = bookingSpan(statement);
  const period = { fromDate: fromDate ?? statement.fromDate ?? span.fromDate, toDate: toDate ?? statement.toDate ?? span.toDate };
  if (!isValidIsoDate(period.fromDate)) return failure('FF01', `${period.fromDate} is not a date.`, 'fromDate');
  if (!isValidIsoDate(period.toDate)) return failure('FF01', `${period.toDate} is not a date.`, 'toDate');
  if (period.fromDate > period.toDate) return failure('FF01', `The period starts (${period.fromDate}) after it ends (${period.toDate}).`, 'fromDate');
  return success(period);
}

function storedOutcome(lines: ParsedStatement['lines'], entries: LedgerEntry[], outcome: MatchOutcome): { lines: StoredLine[]; matches: StoredMatch[] } {
  const stored: StoredLine[] = lines.map((line, index) => {
    const note = outcome.notes.get(index);
    const candidates = note?.candidates.join(' ') ?? '';
    return [line.line, line.bookingDate, line.amountMinor, line.reference, line.description, line.endToEndId, note?.note ?? null, candidates];
  });
  const matches: StoredMatch[] = outcome.matches.map((match) => [
    lines[match.lineIndex].line, match.rule, match.confidence, match.amountDifferenceMinor,
    match.entryIndexes.map((entryIndex) => entries[entryIndex].paymentId).join(' '),
  ]);
  return { lines: stored, matches };
}

function newRunId(): string {
  return `r-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
