import { batchFieldLabels, batchFields, type BatchField, type BatchMapping } from '../../../shared/batch';
import { bidiControlProblem, revealBidiControls } from '../../../shared/bidi';
import type { ReasonCode } from '../../../shared/codes';
import { isKnownCurrency } from '../../../shared/currencies';
import { limits, type PaymentRecord } from '../../../shared/domain';
import { parseAmount } from '../../../shared/money';
import type { AccountState } from '../ledger-state';
import { readCsvRecords, type CsvDialect, type CsvRecord } from './csv-source';

/**
 * Checks one batch row before any money moves: required fields, identifier
 * formats, the amount against the currency's exponent, the currency, and the
 * accounts (exist, open, same currency, not the same account). Duplicate ids
 * are the caller's part: it knows what came before in the file and the ledger.
 */

/** Column index per field; -1 when the (optional) reference is not mapped. */
export type ColumnIndexes = Record<BatchField, number>;

/** A row that passed every check: the payment's own fields, and the file line it came from. */
export interface CheckedRow extends Pick<PaymentRecord, 'paymentId' | 'debtor' | 'creditor' | 'amountMinor' | 'currency' | 'reference'> {
  line: number;
}

export type ReportProblem = (line: number, field: BatchField | 'row', value: string, code: ReasonCode, message: string) => void;

const identifierPattern = /^[A-Za-z0-9][A-Za-z0-9._:\-]*$/;
const controlCharacters = /[\u0000-\u001f\u007f]/;

export function resolveColumns(headers: readonly string[], mapping: BatchMapping): ColumnIndexes {
  const columns = {} as ColumnIndexes;
  for (const field of batchFields) {
    const header = mapping[field];
    columns[field] = header === undefined || header === '' ? -1 : headers.indexOf(header);
  }
  return columns;
}

/** A group of the file's data records, with the trimmed header and the columns the mapping resolves from it. */
export interface MappedGroup {
  headers: string[];
  columns: ColumnIndexes;
  records: CsvRecord[];
}

/** Reads a batch file as groups of data records: the header row is taken off and resolved once. */
export async function* readMappedGroups(filePath: string, dialect: CsvDialect, mapping: BatchMapping): AsyncGenerator<MappedGroup> {
  let header: Omit<MappedGroup, 'records'> | null = null;
  for await (const group of readCsvRecords(filePath, dialect)) {
    if (header === null) {
      const headers = group[0].fields.map((cell) => cell.trim());
      header = { headers, columns: resolveColumns(headers, mapping) };
      group.shift();
    }
    yield { ...header, records: group };
  }
}

/**
 * Returns the row ready to pay, or null after reporting every problem it has.
 * Runs twice per row of a batch (validation, then the run), so it creates no
 * closures or arrays per row.
 */
export function checkRow(
  record: CsvRecord,
  columns: ColumnIndexes,
  accounts: ReadonlyMap<string, AccountState>,
  report: ReportProblem,
): CheckedRow | null {
  const { line, fields } = record;
  const paymentId = checkIdentifier(line, 'paymentId', cellOf(fields, columns.paymentId), limits.paymentIdLength, report);
  const debtor = checkIdentifier(line, 'debtor', cellOf(fields, columns.debtor), limits.accountCodeLength, report);
  const creditor = checkIdentifier(line, 'creditor', cellOf(fields, columns.creditor), limits.accountCodeLength, report);
  const currency = cellOf(fields, columns.currency).toUpperCase();
  const amountText = cellOf(fields, columns.amount);
  const reference = cellOf(fields, columns.reference);
  let ok = paymentId !== null && debtor !== null && creditor !== null;
  let amountMinor = 0;
  if (currency === '') ok = reportFalse(report, line, 'currency', '', 'FF01', 'The currency is required.');
  else if (!isKnownCurrency(currency)) ok = reportFalse(report, line, 'currency', currency, 'AM03', `"${clip(currency)}" is not an active ISO 4217 currency.`);
  if (amountText === '') ok = reportFalse(report, line, 'amount', '', 'FF01', 'The amount is required.');
  else if (isKnownCurrency(currency)) {
    const amount = parseAmount(amountText, currency);
    if (amount.ok) amountMinor = amount.value;
    else ok = reportFalse(report, line, 'amount', amountText, amount.code, amount.message);
  }
  const referenceBidi = bidiControlProblem('The reference', reference);
  if (referenceBidi !== null) {
    ok = reportFalse(report, line, 'reference', clip(revealBidiControls(reference)), 'FF01', referenceBidi);
  } else if (reference.length > limits.referenceLength) {
    ok = reportFalse(report, line, 'reference', clip(reference), 'FF01', `The reference is at most ${limits.referenceLength} characters.`);
  } else if (controlCharacters.test(reference)) {
    ok = reportFalse(report, line, 'reference', clip(reference), 'FF01', 'The reference may not hold control characters such as line breaks.');
  }
  if (debtor !== null && creditor !== null && !checkAccounts(line, debtor, creditor, currency, accounts, report)) ok = false;
  if (!ok) return null;
  return { line, paymentId: paymentId!, debtor: debtor!, creditor: creditor!, amountMinor, currency, reference };
}

/** The trimmed cell of a mapped column; '' for an unmapped one or a short row. */
export function cellOf(fields: readonly string[], column: number): string {
  return column < 0 ? '' : (fields[column] ?? '').trim();
}

/** Reports a problem and returns false, for `ok = reportFalse(...)`. */
function reportFalse(report: ReportProblem, ...problem: Parameters<ReportProblem>): false {
  report(...problem);
  return false;
}

function checkIdentifier(line: number, field: BatchField, value: string, maxLength: number, report: ReportProblem): string | null {
  if (value === '') {
    report(line, field, '', 'FF01', `${batchFieldLabels[field]} is required.`);
    return null;
  }
  const label = batchFieldLabels[field];
  const bidi = bidiControlProblem(label, value);
  if (bidi !== null) {
    report(line, field, clip(revealBidiControls(value)), 'FF01', bidi);
    return null;
  }
  if (value.length > maxLength || !identifierPattern.test(value)) {
    report(line, field, clip(value), 'FF01', `${label} "${clip(value)}" must be at most ${maxLength} letters, digits and . _ : - characters.`);
    return null;
  }
  return value;
}

/** Checks both accounts; false after reporting when either cannot take the payment. */
function checkAccounts(
  line: number,
  debtorCode: string,
  creditorCode: string,
  currency: string,
  accounts: ReadonlyMap<string, AccountState>,
  report: ReportProblem,
): boolean {
  let ok = true;
  if (debtorCode === creditorCode) {
    ok = reportFalse(report, line, 'creditor', creditorCode, 'SAME_ACCOUNT', `The debtor and creditor are both ${debtorCode}; they must differ.`);
  }
  if (!checkAccount(line, 'debtor', debtorCode, currency, accounts, report)) ok = false;
  if (!checkAccount(line, 'creditor', creditorCode, currency, accounts, report)) ok = false;
  return ok;
}

function checkAccount(
  line: number,
  role: 'debtor' | 'creditor',
  code: string,
  currency: string,
  accounts: ReadonlyMap<string, AccountState>,
  report: ReportProblem,
): boolean {
  const account = accounts.get(code);
  if (account === undefined) return reportFalse(report, line, role, code, 'AC01', `The ${role} account ${code} does not exist in this ledger.`);
  if (account.status === 'closed') return reportFalse(report, line, role, code, 'AC04', `The ${role} account ${code} is closed.`);
  if (account.status === 'blocked') return reportFalse(report, line, role, code, 'AC06', `The ${role} account ${code} is blocked.`);
  if (isKnownCurrency(currency) && account.currency !== currency) {
    return reportFalse(report, line, 'currency', currency, 'AM03', `Account ${code} holds ${account.currency}; it cannot take a payment in ${currency}.`);
  }
  return true;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
