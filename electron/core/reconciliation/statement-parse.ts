import type { Result } from '../../../shared/result';
import type { DateOrder, ParsedStatement, StatementFormat, StatementMapping } from '../../../shared/reconciliation';
import { parseCamtStatement } from './statement-camt';
import { parseCsvStatement } from './statement-csv';

export interface StatementParseOptions {
  format?: StatementFormat;
  dateOrder?: DateOrder;
  mapping?: StatementMapping;
  /** The reconciled account's currency, for CSV files without a currency column. */
  defaultCurrency: string;
}

/** A file that starts with "<" (after a byte order mark and blanks) is read as camt.053 XML, anything else as CSV. */
export function detectStatementFormat(text: string): StatementFormat {
  return text.replace(/^\ufeff/, '').trimStart().startsWith('<') ? 'camt053' : 'csv';
}

/** Parses a whole statement, or refuses it with the line (or XML path) of the first problem: nothing half-read. */
export function parseStatement(text: string, options: StatementParseOptions): Result<ParsedStatement> {
  const format = options.format ?? detectStatementFormat(text);
  if (format === 'camt053') return parseCamtStatement(text);
  return parseCsvStatement(text, { mapping: options.mapping, dateOrder: options.dateOrder ?? 'auto', defaultCurrency: options.defaultCurrency });
}
