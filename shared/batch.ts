import type { ReasonCode } from './codes';
import type { PaymentRecord } from './domain';

/**
 * What the renderer and the engine agree on for batch payment files: the
 * fields a row maps to, header variants, limits, the shapes that cross the
 * boundary, and the CSV writing both sides use for exports. Pure: no Node, no DOM.
 */

export const batchLimits = {
  /** Characters of CSV text one upload request may carry: at most ~6 bytes per char in JSON, under the host's 1 MiB body. */
  uploadChunkChars: 128 * 1024,
  /** The largest batch file accepted, in bytes. */
  fileBytes: 512 * 1024 * 1024,
  /** Rows shown in the preview before anything is processed. */
  previewRows: 10,
  /** Validation errors kept (and returned) per file; the total is always counted. */
  errorsKept: 10_000,
  /** Validation errors returned in one response to the renderer. */
  errorsReturned: 10_000,
  /** Columns a file may have. */
  columns: 200,
  presetNameLength: 60,
  fileNameLength: 255,
  batchesListed: 100,
} as const;

export const batchFields = ['paymentId', 'debtor', 'creditor', 'amount', 'currency', 'reference'] as const;
export type BatchField = (typeof batchFields)[number];

/** Fields a row cannot do without; the reference may be left unmapped. */
export const requiredBatchFields: readonly BatchField[] = ['paymentId', 'debtor', 'creditor', 'amount', 'currency'];

export const batchFieldLabels: Record<BatchField, string> = {
  paymentId: 'Payment id',
  debtor: 'Debtor account',
  creditor: 'Creditor account',
  amount: 'Amount',
  currency: 'Currency',
  reference: 'Reference',
};

/** Maps each field to the header text of its column ('' or absent: not mapped). */
export type BatchMapping = Partial<Record<BatchField, string>>;

export const batchDelimiters = [',', ';', '\t'] as const;
export type BatchDelimiter = (typeof batchDelimiters)[number];

/** Header spellings each field answers to, compared after normalising (lower case, letters and digits only). */
const headerAliases: Record<BatchField, readonly string[]> = {
  paymentId: [
    'paymentid', 'id', 'payment', 'endtoendid', 'endtoendidentification', 'e2eid', 'e2e', 'transactionid', 'txid', 'instructionid', 'paymentno',
    'paymentnumber', 'uniqueid',
  ],
  debtor: [
    'debtoraccount', 'debtor', 'from', 'fromaccount', 'source', 'sourceaccount', 'payer', 'payeraccount', 'debit', 'debitaccount', 'debtoriban',
    'fromiban', 'originator', 'originatoraccount', 'orderingaccount', 'sender', 'senderaccount', 'account', 'accountfrom',
  ],
  creditor: [
    'creditoraccount', 'creditor', 'to', 'toaccount', 'destination', 'destinationaccount', 'payee', 'payeeaccount', 'beneficiary',
    'beneficiaryaccount', 'credit', 'creditaccount', 'creditoriban', 'toiban', 'recipient', 'recipientaccount', 'receiver', 'receiveraccount',
    'counterparty', 'counterpartyaccount', 'accountto',
  ],
  amount: ['amount', 'value', 'sum', 'amt', 'instructedamount', 'paymentamount', 'transferamount', 'total'],
  currency: ['currency', 'ccy', 'cur', 'curr', 'currencycode', 'isocurrency'],
  reference: [
    'reference', 'ref', 'remittanceinformation', 'remittanceinfo', 'remittance', 'description', 'memo', 'narrative', 'purpose', 'details',
    'paymentreference', 'note', 'comment', 'text',
  ],
};

/** Words a header may add after a field's name without changing what it holds: "Amount (EUR)", "Currency code", "Debtor IBAN". */
const headerQualifiers = ['eur', 'usd', 'gbp', 'chf', 'code', 'iban', 'number', 'no', 'nr', 'text', 'info', 'information', 'name', 'minor', 'decimal'];

/** A header as compared: lower case, letters and digits only (no spaces, dashes, dots, brackets, quotes or byte-order mark). */
export function normaliseHeader(header: string): string {
  return header.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/** True when the header is a variant of the field's name, exactly or followed by a qualifier. */
function headerMatches(normalised: string, field: BatchField, exact: boolean): boolean {
  const aliases = headerAliases[field];
  if (aliases.includes(normalised)) return true;
  if (exact) return false;
  return aliases.some((alias) => alias.length >= 3 && normalised.startsWith(alias) && headerQualifiers.includes(normalised.slice(alias.length)));
}

/**
 * The mapping the headers suggest, before the operator is asked: each field
 * gets the first column whose header is one of its spellings (any case,
 * spacing or punctuation); a second pass then takes spellings with a
 * qualifier ("Amount (EUR)") for the fields still open. A column is used once.
 */
export function suggestMapping(headers: readonly string[]): BatchMapping {
  const mapping: BatchMapping = {};
  const taken = new Set<number>();
  const normalised = headers.map(normaliseHeader);
  for (const exact of [true, false]) {
    for (const field of batchFields) {
      if (mapping[field] !== undefined) continue;
      const index = normalised.findIndex((header, position) => !taken.has(position) && headerMatches(header, field, exact));
      if (index >= 0) {
        mapping[field] = headers[index];
        taken.add(index);
      }
    }
  }
  return mapping;
}

/** Which required fields a mapping leaves out, or maps to a header the file does not have. */
export function mappingProblems(headers: readonly string[], mapping: BatchMapping): string[] {
  const problems: string[] = [];
  for (const field of requiredBatchFields) {
    const header = mapping[field];
    if (header === undefined || header === '') problems.push(`${batchFieldLabels[field]} is not mapped to a column.`);
    else if (!headers.includes(header)) problems.push(`${batchFieldLabels[field]} is mapped to "${header}", which the file does not have.`);
  }
  const reference = mapping.reference;
  if (reference !== undefined && reference !== '' && !headers.includes(reference)) {
    problems.push(`Reference is mapped to "${reference}", which the file does not have.`);
  }
  return problems;
}

/** "awaiting-approval": held for four-eyes approval, its totals reserved; "rejected": an approver refused it, nothing was paid. */
export const batchStatuses = [
  'validated', 'awaiting-approval', 'running', 'paused', 'interrupted', 'cancelled', 'completed', 'abandoned', 'rejected',
] as const;
export type BatchStatus = (typeof batchStatuses)[number];

export interface BatchPreview {
  /** The uploaded (or imported) file's id: the name of its copy beside the ledger. */
  fileId: string;
  fileName: string;
  fileBytes: number;
  /** SHA-256 of the file's bytes, hex. */
  fileHash: string;
  delimiter: BatchDelimiter;
  detectedDelimiter: BatchDelimiter;
  headers: string[];
  /** The first rows as they will be read, each with its file line number (1 is the header). */
  rows: { line: number; fields: string[] }[];
  suggestedMapping: BatchMapping;
  /** Batches already made from a file with the same content: the operator is warned. */
  sameFileBatches: BatchSummary[];
}

export interface BatchValidationError {
  line: number;
  field: BatchField | 'row';
  value: string;
  code: ReasonCode;
  message: string;
}

/** A control total, as bank batch screens show them: how many valid rows in a currency, and their sum. */
export interface ControlTotal {
  currency: string;
  count: number;
  amountMinor: number;
}

export interface BatchValidation {
  batch: BatchSummary;
  errors: BatchValidationError[];
  /** Every error found, even beyond those listed. */
  errorTotal: number;
}

export interface BatchSummary {
  batchId: string;
  fileName: string;
  fileHash: string;
  delimiter: BatchDelimiter;
  mapping: BatchMapping;
  status: BatchStatus;
  rows: number;
  valid: number;
  invalid: number;
  rowsDone: number;
  accepted: number;
  rejected: number;
  /** Rows not paid at processing time because they failed a check (mostly those invalid at validation). */
  skipped: number;
  /** Rejected and skipped rows by reason code. */
  reasons: Partial<Record<ReasonCode, number>>;
  /** PSR = Ns / Nt over every row processed so far (accepted over accepted, rejected and refused), 0..1; null before any row. */
  psr: number | null;
  /** Payments per second over the time the batch was running (PT). */
  rowsPerSecond: number | null;
  pltP50Us: number | null;
  pltP99Us: number | null;
  createdAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  /** Time spent running, summed over runs (pauses and crashes excluded). */
  runningMs: number;
  /** The valid rows' count and sum per currency, as validation found them (empty for batches validated before they were kept). */
  controlTotals: ControlTotal[];
  /** Why the batch stopped, when it stopped on a problem (a changed file, a high failure rate). */
  problem: string | null;
}

export interface BatchProgressEvent {
  batchId: string;
  status: BatchStatus;
  rows: number;
  rowsDone: number;
  accepted: number;
  rejected: number;
  skipped: number;
  reasons: Partial<Record<ReasonCode, number>>;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  /** A sentence when the batch stopped on a problem (such as a changed file). */
  problem: string | null;
}

export interface BatchPreset {
  name: string;
  mapping: BatchMapping;
  delimiter: BatchDelimiter | null;
  updatedAtMs: number;
}

export interface BatchUploadReceipt {
  fileId: string;
  bytesReceived: number;
}

/**
 * One CSV cell, safe to open in a spreadsheet: a cell that begins with = + - @,
 * tab, carriage return or line feed (also after leading spaces) gets a leading
 * apostrophe so it is never run as a formula; quotes are doubled.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  // A number is digits, a sign and a point: nothing a spreadsheet runs or a delimiter splits.
  if (typeof value === 'number') return String(value);
  const text = formulaStart.test(value) ? `'${value}` : value;
  return needsQuotes.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const formulaStart = /^[ ]*[=+\-@\t\r\n]/;
const needsQuotes = /[",;\t\r\n]/;

/** One CSV line with its CRLF; a results file writes one per row, so it builds the text without arrays in between. */
export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  let line = cells.length === 0 ? '' : csvCell(cells[0]);
  for (let index = 1; index < cells.length; index++) line += `,${csvCell(cells[index])}`;
  return `${line}\r\n`;
}

export const validationReportHeader = ['line', 'field', 'value', 'code', 'reason'] as const;

export function validationReportCsv(errors: readonly BatchValidationError[]): string {
  let text = csvLine(validationReportHeader);
  for (const error of errors) text += csvLine([error.line, error.field, error.value, error.code, error.message]);
  return text;
}

export const resultsHeader = [
  'line', 'payment_id', 'debtor_account', 'creditor_account', 'amount_minor', 'currency', 'reference', 'status', 'code', 'message',
] as const;

/**
 * One row of a batch's results, in file order: a payment (accepted or
 * rejected), or a row refused before payment because it failed a check (no
 * payment was made; its cells are as the file holds them). A refused row
 * counts as rejected in filters and in PSR.
 */
export interface BatchResultRow extends Omit<PaymentRecord, 'amountMinor' | 'line'> {
  line: number;
  /** Null when the file's amount could not be read for its currency. */
  amountMinor: number | null;
  /** The amount as the file wrote it, for a refused row whose amount could not be read. */
  amountText: string;
  refused: boolean;
}

/** Rows of a batch shown per page in the approval detail view. */
export const batchDetailRowsPerPage = 50;

/** What an approver reads before deciding a batch: the rows to be paid, and totals per currency and per debtor. */
export interface BatchApprovalDetail {
  batch: PendingBatch;
  byCurrency: ControlTotal[];
  byDebtor: (ControlTotal & { debtor: string })[];
  /** Valid rows after the requested line, in file order, at most batchDetailRowsPerPage. */
  rows: { line: number; paymentId: string; debtor: string; creditor: string; amountMinor: number; currency: string; reference: string }[];
  /** The line to ask after for the next page; null on the last page. */
  nextAfterLine: number | null;
}

/** A batch held for four-eyes approval (or decided): what the Pending page lists. */
export interface PendingBatch {
  batchId: string;
  fileName: string;
  rows: number;
  valid: number;
  /** Valid rows' totals per currency, in minor units. */
  totals: { currency: string; amountMinor: number }[];
  status: 'pending' | 'approved' | 'rejected';
  /** The batch's own status now (awaiting-approval, running, completed, rejected, ...). */
  batchStatus: BatchStatus;
  submittedBy: string;
  submittedAtMs: number;
  /** Time since submission (until the decision), as the engine measured it when answering. */
  ageMs: number;
  decidedBy: string | null;
  decidedAtMs: number | null;
  note: string | null;
}
