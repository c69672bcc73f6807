import { batchLimits, type BatchMapping, type BatchValidationError } from '../../../shared/batch';
import type { ReasonCode } from '../../../shared/codes';
import type { AccountState } from '../ledger-state';
import type { SqliteDatabase } from '../storage/sqlite';
import type { CsvDialect } from './csv-source';
import { cellOf, checkRow, readMappedGroups } from './row-check';

/**
 * The validation pass: every data row of the file is checked before any money
 * moves, and every problem is reported at once (the first `errorsKept` in
 * full, the rest counted). Nothing is written.
 */

export interface ValidationOutcome {
  headers: string[];
  rows: number;
  valid: number;
  invalid: number;
  errors: BatchValidationError[];
  errorTotal: number;
  reasons: Partial<Record<ReasonCode, number>>;
  /** Valid rows per currency: count and sum in minor units. */
  totals: Map<string, { count: number; amountMinor: number }>;
}

/** Payment ids looked up per query; a shorter list is padded with '', which is never a payment id. */
const idsPerLookup = 500;
const lookupSql = `SELECT payment_id FROM payments WHERE payment_id IN (${Array(idsPerLookup).fill('?').join(', ')})`;

/** Which of these payment ids the ledger already holds: one indexed query per 500 ids, not one per id. */
export function paymentIdsInLedger(database: SqliteDatabase, paymentIds: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (let start = 0; start < paymentIds.length; start += idsPerLookup) {
    const slice: string[] = paymentIds.slice(start, start + idsPerLookup);
    while (slice.length < idsPerLookup) slice.push('');
    for (const [paymentId] of database.rows(lookupSql, slice)) found.add(paymentId as string);
  }
  return found;
}

export async function validateFile(
  filePath: string,
  dialect: CsvDialect,
  mapping: BatchMapping,
  accounts: ReadonlyMap<string, AccountState>,
  database: SqliteDatabase,
): Promise<ValidationOutcome> {
  const outcome: ValidationOutcome = { headers: [], rows: 0, valid: 0, invalid: 0, errors: [], errorTotal: 0, reasons: {}, totals: new Map() };
  // The line each valid payment id was first seen on, to name it in the duplicate's error.
  const firstLineById = new Map<string, number>();
  let rowHasProblem = false;
  const report = (line: number, field: BatchValidationError['field'], value: string, code: ReasonCode, message: string) => {
    rowHasProblem = true;
    outcome.errorTotal++;
    outcome.reasons[code] = (outcome.reasons[code] ?? 0) + 1;
    if (outcome.errors.length < batchLimits.errorsKept) outcome.errors.push({ line, field, value, code, message });
  };
  for await (const { headers, columns, records } of readMappedGroups(filePath, dialect, mapping)) {
    outcome.headers = headers;
    const inLedger = paymentIdsInLedger(database, records.map((record) => cellOf(record.fields, columns.paymentId)));
    for (const record of records) {
      outcome.rows++;
      rowHasProblem = false;
      const row = checkRow(record, columns, accounts, report);
      if (row !== null) {
        const earlierLine = firstLineById.get(row.paymentId);
        if (earlierLine !== undefined) {
          report(row.line, 'paymentId', row.paymentId, 'DUPL', `Payment id ${row.paymentId} is also on line ${earlierLine}; an id is paid once.`);
        } else if (inLedger.has(row.paymentId)) {
          report(row.line, 'paymentId', row.paymentId, 'DUPL', `Payment id ${row.paymentId} is already in the ledger; it is never paid twice.`);
        } else {
          firstLineById.set(row.paymentId, row.line);
        }
      }
      if (rowHasProblem) outcome.invalid++;
      else {
        outcome.valid++;
        addToTotal(outcome.totals, row!.currency, row!.amountMinor);
      }
    }
  }
  return outcome;
}

function addToTotal(totals: ValidationOutcome['totals'], currency: string, amountMinor: number): void {
  const total = totals.get(currency);
  if (total === undefined) totals.set(currency, { count: 1, amountMinor });
  else {
    total.count++;
    // A sum past the exact range is held at its edge (shown as "more than"); starting such a batch is refused with AM02.
    total.amountMinor = Math.min(total.amountMinor + amountMinor, Number.MAX_SAFE_INTEGER);
  }
}
