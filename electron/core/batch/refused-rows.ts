import type { ReasonCode } from '../../../shared/codes';
import { isKnownCurrency } from '../../../shared/currencies';
import { parseAmount } from '../../../shared/money';
import type { RefusedRow } from './batch-records';
import type { CsvRecord } from './csv-source';
import { cellOf, type CheckedRow, type ColumnIndexes, type ReportProblem } from './row-check';

/** Problems kept per refused row: its sentence names them all, up to this many. */
const problemsPerRowMax = 4;

/**
 * Gathers why a row failed its checks while the batch runs, so that the row
 * can be listed in the results with its code and sentence even though no
 * payment was made for it. One instance serves a whole run: `startRow` resets
 * it, and `report` is the callback checkRow reports to (no closure per row).
 */
export class RowProblems {
  private code: ReasonCode | null = null;
  private readonly messages: string[] = [];

  readonly report: ReportProblem = (_line, _field, _value, code, message) => {
    this.code ??= code;
    if (this.messages.length < problemsPerRowMax) this.messages.push(message);
  };

  startRow(): void {
    this.code = null;
    this.messages.length = 0;
  }

  /** The row as the file holds it, with the first problem's code and every problem's sentence. */
  refusedRow(record: CsvRecord, columns: ColumnIndexes): RefusedRow {
    const currency = cellOf(record.fields, columns.currency).toUpperCase();
    const amountText = cellOf(record.fields, columns.amount);
    const amount = isKnownCurrency(currency) && amountText !== '' ? parseAmount(amountText, currency) : null;
    return {
      line: record.line,
      paymentId: cellOf(record.fields, columns.paymentId),
      debtor: cellOf(record.fields, columns.debtor),
      creditor: cellOf(record.fields, columns.creditor),
      amountText,
      amountMinor: amount?.ok ? amount.value : null,
      currency,
      reference: cellOf(record.fields, columns.reference),
      code: this.code ?? 'FF01',
      message: this.messages.length === 0 ? 'The row could not be read.' : this.messages.join(' '),
    };
  }
}

/** A row whose payment id came earlier in the file or is already in the ledger: refused, never paid twice. */
export function duplicateRow(row: CheckedRow, where: 'file' | 'ledger'): RefusedRow {
  const place = where === 'file' ? 'appears on an earlier line of this file' : 'is already in the ledger';
  return {
    line: row.line, paymentId: row.paymentId, debtor: row.debtor, creditor: row.creditor, amountText: '', amountMinor: row.amountMinor,
    currency: row.currency, reference: row.reference, code: 'DUPL', message: `Payment id ${row.paymentId} ${place}; the row was not paid.`,
  };
}
