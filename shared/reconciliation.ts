import { z } from 'zod';
import { csvLine } from './batch';
import { limits } from './domain';
import { formatMinor } from './money';
import { accountCodeSchema, paymentIdSchema } from './schemas';

/**
 * What the renderer and the engine agree on for reconciling the ledger
 * against a bank statement: limits, the shapes that cross the boundary, the
 * request schemas and the report's CSV. Pure: no Node, no DOM.
 */

export const reconciliationLimits = {
  /** Characters one upload request may carry: at most ~6 bytes per char in JSON, under the host's 1 MiB body. */
  uploadChunkChars: 128 * 1024,
  /** The largest statement accepted, in characters. */
  statementChars: 64 * 1024 * 1024,
  /** Statements one file may hold (camt Stmt, Rpt or Ntfctn; MT940 messages). */
  statementsPerFile: 1_000,
  /** Lines (entries) one statement may hold. */
  statementLines: 200_000,
  /** Statement uploads kept in memory at once; the oldest is dropped beyond this. */
  uploadsKept: 8,
  /** Items of each pane sent in one report; the totals always count them all. */
  paneItems: 2_000,
  /** Ledger payments the operator may tie to one statement line by hand. */
  manualPayments: 1_000,
  /** Candidates named on an ambiguous line, for the operator to choose from. */
  candidatesNoted: 5,
  /** Ledger candidates looked at per line in the tolerance pass; beyond this the line is ambiguous. */
  tolerancePassCandidates: 64,
  dateWindowDaysMax: 31,
  runsListed: 100,
  fileNameLength: 255,
  headerLength: 200,
  descriptionLength: 500,
} as const;

export const statementFormats = ['csv', 'camt052', 'camt053', 'camt054', 'mt940'] as const;
export type StatementFormat = (typeof statementFormats)[number];

export const statementFormatLabels: Record<StatementFormat, string> = {
  csv: 'CSV', camt052: 'camt.052 account report', camt053: 'camt.053 statement', camt054: 'camt.054 debit/credit notification', mt940: 'SWIFT MT940',
};

/** How day and month are ordered in dates such as 03/04/2024; `auto` decides from the file or asks. */
export const dateOrders = ['auto', 'day-first', 'month-first'] as const;
export type DateOrder = (typeof dateOrders)[number];

export const statementFields = ['date', 'amount', 'currency', 'reference', 'description', 'endToEndId', 'direction', 'balance'] as const;
export type StatementField = (typeof statementFields)[number];
/** Maps each field to the header text of its column. */
export type StatementMapping = Partial<Record<StatementField, string>>;

export const matchRules = ['end-to-end-id', 'reference-amount', 'amount-date', 'many-to-one', 'manual'] as const;
export type MatchRule = (typeof matchRules)[number];

export const matchRuleLabels: Record<MatchRule, string> = {
  'end-to-end-id': 'End-to-end id',
  'reference-amount': 'Reference and amount',
  'amount-date': 'Amount and date',
  'many-to-one': 'Settlement (many to one)',
  manual: 'By hand',
};

/** One line of a bank statement, as the bank sees the account: positive credits it, negative debits it. */
export interface StatementLine {
  /** The file line (CSV) or the entry's number, 1 for the first Ntry (camt.053): unique within the statement. */
  line: number;
  /** ISO date, YYYY-MM-DD. */
  bookingDate: string;
  amountMinor: number;
  reference: string;
  description: string;
  endToEndId: string | null;
}

/** How a statement names its account: an IBAN (validated) or the bank's other id (camt Othr/Id, an MT940 :25: that is no IBAN). */
export interface StatementAccount {
  kind: 'iban' | 'other';
  value: string;
}

export interface ParsedStatement {
  format: StatementFormat;
  currency: string;
  lines: StatementLine[];
  openingBalanceMinor: number | null;
  closingBalanceMinor: number | null;
  /** The statement's own id (camt Stmt/Id, Rpt/Id, Ntfctn/Id; MT940 :20: and :28C:); null for CSV. */
  statementId: string | null;
  account: StatementAccount | null;
  /** The period the statement says it covers (camt FrToDt), or null: then its booking dates decide. */
  fromDate: string | null;
  toDate: string | null;
}

/** A whole statement file: one or several statements of one format. */
export interface ParsedStatementFile {
  format: StatementFormat;
  /** What was read, for the operator: "camt.053.001.08", "MT940", "CSV". */
  version: string;
  statements: ParsedStatement[];
}

/** One statement of a dropped file, as the operator chooses among them before running. */
export interface StatementView {
  /** Its place in the file, from 0: the run request names it. */
  index: number;
  statementId: string | null;
  account: StatementAccount | null;
  /** The ledger account whose identifier the statement names, or null when none does. */
  ledgerAccount: string | null;
  currency: string;
  lines: number;
  fromDate: string;
  toDate: string;
  openingBalanceMinor: number | null;
  closingBalanceMinor: number | null;
}

export interface StatementFileView {
  format: StatementFormat;
  version: string;
  statements: StatementView[];
}

/** A ledger payment as the reconciled account sees it. */
export interface LedgerEntryView {
  paymentId: string;
  /** Positive when the account was credited, negative when debited. */
  amountMinor: number;
  bookingDate: string;
  reference: string;
  counterparty: string;
  batchId: string | null;
}

export interface MatchView {
  statementLine: StatementLine;
  payments: LedgerEntryView[];
  rule: MatchRule;
  /** 0..1: how sure the rule was; 1 for exact ids and for decisions by hand. */
  confidence: number;
  /** Statement amount minus the ledger amounts: non-zero is an amount mismatch. */
  amountDifferenceMinor: number;
  decidedAtMs: number;
}

export interface UnmatchedStatementLine extends StatementLine {
  /** Why no rule matched it when some came close (ambiguous candidates), for the operator. */
  note: string | null;
  /** Payment ids that came close, to choose from by hand. */
  candidates: string[];
}

export const runStatuses = ['open', 'finished'] as const;
export type RunStatus = (typeof runStatuses)[number];

export interface RunSummary {
  runId: string;
  account: string;
  currency: string;
  fromDate: string;
  toDate: string;
  fileName: string;
  format: StatementFormat;
  /** The format and version read ("camt.053.001.08"); null for runs kept before it was recorded. */
  formatVersion: string | null;
  /** Which statement of the file this run reconciled: its id and the account it names (IBAN or other id). */
  statementId: string | null;
  statementAccount: string | null;
  status: RunStatus;
  createdAtMs: number;
  finishedAtMs: number | null;
  statementLines: number;
  ledgerEntries: number;
  matched: number;
  unmatchedStatement: number;
  unmatchedLedger: number;
  amountMismatches: number;
  /** The statement's opening balance when it states one; null when it does not (CSV without balances, most camt.054). */
  statementOpeningMinor: number | null;
  /** The ledger's balance of the account at the start of the period. */
  ledgerOpeningMinor: number;
  /** Statement opening less ledger opening; null when the statement states no opening balance. */
  openingDifferenceMinor: number | null;
  statementClosingMinor: number;
  /** `statement` when the file states its closing balance; `derived` is the ledger's opening plus the statement's lines. */
  closingBalanceSource: 'statement' | 'derived';
  ledgerClosingMinor: number;
  closingDifferenceMinor: number;
}

export interface ReconciliationReport {
  summary: RunSummary;
  matches: MatchView[];
  unmatchedStatement: UnmatchedStatementLine[];
  unmatchedLedger: LedgerEntryView[];
  /** True when a pane holds more than reconciliationLimits.paneItems and was cut; the summary counts them all. */
  truncated: boolean;
}

export interface StatementUploadReceipt {
  uploadId: string;
  charsReceived: number;
}

export interface ReportExport {
  fileName: string;
  csv: string;
}

const uploadId = z.string().regex(/^[a-f0-9]{32}$/, 'The upload id is not one PayDesk made.');
const runId = z.string().trim().regex(/^r-[a-z0-9-]{1,60}$/, 'The run id is not one PayDesk made.');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Dates are written YYYY-MM-DD.');
const header = z.string().max(reconciliationLimits.headerLength);
const mappingShape = Object.fromEntries(statementFields.map((field) => [field, header.optional()])) as Record<
  StatementField,
  z.ZodOptional<typeof header>
>;

export const statementUploadSchema = z
  .object({
    /** Null on the first chunk: the engine makes a new upload and returns its id. */
    uploadId: uploadId.nullable(),
    fileName: z.string().trim().min(1, 'The file name is required.').max(reconciliationLimits.fileNameLength),
    /** Characters already received, as the previous receipt said: a repeated or out-of-order chunk is refused. */
    offset: z.number().int().nonnegative(),
    text: z.string().max(reconciliationLimits.uploadChunkChars, `An upload chunk is at most ${reconciliationLimits.uploadChunkChars} characters.`),
  })
  .strict();

export const reconciliationRunSchema = z
  .object({
    uploadId,
    /** The ledger account; without it, the account whose identifier (IBAN or other id) the statement names. */
    account: accountCodeSchema.optional(),
    /** Which statement of a file with several, from 0; a file with one needs none. */
    statement: z.number().int().nonnegative().max(reconciliationLimits.statementsPerFile - 1).optional(),
    fromDate: isoDate.optional(),
    toDate: isoDate.optional(),
    format: z.enum(statementFormats).optional(),
    dateOrder: z.enum(dateOrders).optional(),
    mapping: z.object(mappingShape).strict().optional(),
    /** Largest difference the amount-and-date pass accepts, in minor units. */
    toleranceMinor: z.number().int().nonnegative().max(1_000_000_000).optional(),
    dateWindowDays: z.number().int().nonnegative().max(reconciliationLimits.dateWindowDaysMax).optional(),
  })
  .strict();

export const statementInspectSchema = z
  .object({
    uploadId,
    /** For CSV files without a currency column: the account whose currency they are in. */
    account: accountCodeSchema.optional(),
    format: z.enum(statementFormats).optional(),
    dateOrder: z.enum(dateOrders).optional(),
    mapping: z.object(mappingShape).strict().optional(),
  })
  .strict();

export const reconciliationRunIdSchema = z.object({ runId }).strict();

export const reconciliationMatchSchema = z
  .object({
    runId,
    statementLine: z.number().int().positive(),
    paymentIds: z.array(paymentIdSchema).min(1, 'Choose at least one ledger payment.').max(reconciliationLimits.manualPayments),
  })
  .strict();

export const reconciliationUnmatchSchema = z.object({ runId, statementLine: z.number().int().positive() }).strict();

export const reconciliationListSchema = z.object({ account: accountCodeSchema.optional() }).strict();

/** Turns limits.referenceLength into a cut, so a long bank reference is kept but bounded. */
export function clipText(text: string, length: number = limits.referenceLength): string {
  return text.length > length ? text.slice(0, length) : text;
}

export const reportHeader = [
  'section', 'statement_line', 'booking_date', 'statement_amount', 'direction', 'currency', 'reference', 'description',
  'payment_ids', 'ledger_amount', 'rule', 'confidence', 'difference', 'note',
] as const;

/**
 * The report as CSV, safe to open in a spreadsheet: every cell goes through
 * csvCell (formula prefixes neutralised, also after spaces), and amounts are
 * written unsigned with a separate direction column so no cell starts with "-".
 */
export function reconciliationReportCsv(report: ReconciliationReport): string {
  const currency = report.summary.currency;
  const unsigned = (amountMinor: number) => formatMinor(Math.abs(amountMinor), currency);
  const direction = (amountMinor: number) => (amountMinor < 0 ? 'debit' : 'credit');
  let text = csvLine(reportHeader);
  for (const match of report.matches) {
    const line = match.statementLine;
    const ledgerMinor = match.payments.reduce((sum, payment) => sum + payment.amountMinor, 0);
    text += csvLine([
      'matched', line.line, line.bookingDate, unsigned(line.amountMinor), direction(line.amountMinor), currency, line.reference, line.description,
      match.payments.map((payment) => payment.paymentId).join(' '), unsigned(ledgerMinor), match.rule, String(Math.round(match.confidence * 100) / 100),
      match.amountDifferenceMinor === 0 ? '' : `${direction(match.amountDifferenceMinor)} ${unsigned(match.amountDifferenceMinor)}`, '',
    ]);
  }
  for (const line of report.unmatchedStatement) {
    text += csvLine([
      'unmatched statement', line.line, line.bookingDate, unsigned(line.amountMinor), direction(line.amountMinor), currency, line.reference,
      line.description, line.candidates.join(' '), '', '', '', '', line.note ?? '',
    ]);
  }
  for (const entry of report.unmatchedLedger) {
    text += csvLine([
      'unmatched ledger', '', entry.bookingDate, '', direction(entry.amountMinor), currency, entry.reference, entry.counterparty,
      entry.paymentId, unsigned(entry.amountMinor), '', '', '', '',
    ]);
  }
  const summary = report.summary;
  if (summary.statementOpeningMinor !== null && summary.openingDifferenceMinor !== null) {
    text += csvLine([
      'opening difference', '', summary.fromDate, unsigned(summary.statementOpeningMinor), direction(summary.statementOpeningMinor), currency,
      'statement', '', '', unsigned(summary.ledgerOpeningMinor), '', '',
      `${direction(summary.openingDifferenceMinor)} ${unsigned(summary.openingDifferenceMinor)}`, '',
    ]);
  }
  text += csvLine([
    'closing difference', '', summary.toDate, unsigned(summary.statementClosingMinor), direction(summary.statementClosingMinor), currency,
    summary.closingBalanceSource, '', '', unsigned(summary.ledgerClosingMinor), '', '',
    `${direction(summary.closingDifferenceMinor)} ${unsigned(summary.closingDifferenceMinor)}`, '',
  ]);
  return text;
}
