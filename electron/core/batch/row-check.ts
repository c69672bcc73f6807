import { batchFieldLabels, batchFields, type BatchField, type BatchMapping } from '../../../shared/batch';
import type { ReasonCode } from '../../../shared/codes';
import { isKnownCurrency } from '../../../shared/currencies';
import { limits, type PaymentRecord } from '../../../shared/domain';
import { parseAmount } from '../../../shared/money';
import type { AccountState } from '../ledger-state';
import type { CsvRecord } from './csv-source';

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

/** Returns the row ready to pay, or null after reporting every problem it has. */
export function checkRow(
  record: CsvRecord,
  columns: ColumnIndexes,
  accounts: ReadonlyMap<string, AccountState>,
  report: ReportProblem,
): CheckedRow | null {
  const { line, fields } = record;
  const cell = (field: BatchField) => (columns[field] < 0 ? '' : (fields[columns[field]] ?? '').trim());
  let ok = true;
  const problem: ReportProblem = (...args) => {
    ok = false;
    report(...args);
  };
  const paymentId = checkIdentifier(line, 'paymentId', cell('paymentId'), limits.paymentIdLength, problem);
  const debtor = checkIdentifier(line, 'debtor', cell('debtor'), limits.accountCodeLength, problem);
  const creditor = checkIdentifier(line, 'creditor', cell('creditor'), limits.accountCodeLength, problem);
  const currency = cell('currency').toUpperCase();
  const amountText = cell('amount');
  const reference = cell('reference');
  let amountMinor = 0;
  if (currency === '') problem(line, 'currency', '', 'FF01', 'The currency is required.');
  else if (!isKnownCurrency(currency)) problem(line, 'currency', currency, 'AM03', `"${clip(currency)}" is not an active ISO 4217 currency.`);
  if (amountText === '') problem(line, 'amount', '', 'FF01', 'The amount is required.');
  else if (isKnownCurrency(currency)) {
    const amount = parseAmount(amountText, currency);
    if (amount.ok) amountMinor = amount.value;
    else problem(line, 'amount', amountText, amount.code, amount.message);
  }
  if (reference.length > limits.referenceLength) {
    problem(line, 'reference', clip(reference), 'FF01', `The reference is at most ${limits.referenceLength} characters.`);
  } else if (controlCharacters.test(reference)) {
    problem(line, 'reference', clip(reference), 'FF01', 'The reference may not hold control characters such as line breaks.');
  }
  if (debtor !== null && creditor !== null) checkAccounts(line, debtor, creditor, currency, accounts, problem);
  if (!ok || paymentId === null || debtor === null || creditor === null) return null;
  return { line, paymentId, debtor, creditor, amountMinor, currency, reference };
}

function checkIdentifier(line: number, field: BatchField, value: string, maxLength: number, problem: ReportProblem): string | null {
  const label = batchFieldLabels[field];
  if (value === '') {
    problem(line, field, '', 'FF01', `${label} is required.`);
    return null;
  }
  if (value.length > maxLength || !identifierPattern.test(value)) {
    problem(line, field, clip(value), 'FF01', `${label} "${clip(value)}" must be at most ${maxLength} letters, digits and . _ : - characters.`);
    return null;
  }
  return value;
}

function checkAccounts(
  line: number,
  debtorCode: string,
  creditorCode: string,
  currency: string,
  accounts: ReadonlyMap<string, AccountState>,
  problem: ReportProblem,
): void {
  if (debtorCode === creditorCode) {
    problem(line, 'creditor', creditorCode, 'SAME_ACCOUNT', `The debtor and creditor are both ${debtorCode}; they must differ.`);
  }
  for (const [field, code] of [['debtor', debtorCode], ['creditor', creditorCode]] as const) {
    const account = accounts.get(code);
    const role = field === 'debtor' ? 'debtor' : 'creditor';
    if (account === undefined) problem(line, field, code, 'AC01', `The ${role} account ${code} does not exist in this ledger.`);
    else if (account.status === 'closed') problem(line, field, code, 'AC04', `The ${role} account ${code} is closed.`);
    else if (account.status === 'blocked') problem(line, field, code, 'AC06', `The ${role} account ${code} is blocked.`);
    else if (isKnownCurrency(currency) && account.currency !== currency) {
      problem(line, 'currency', currency, 'AM03', `Account ${code} holds ${account.currency}; it cannot take a payment in ${currency}.`);
    }
  }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
