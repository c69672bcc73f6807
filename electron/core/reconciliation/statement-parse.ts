import { success, type Result } from '../../../shared/result';
import type { DateOrder, ParsedStatement, ParsedStatementFile, StatementFormat, StatementMapping } from '../../../shared/reconciliation';
import { parseCamtFile } from './statement-camt';
import { parseCsvStatement } from './statement-csv';
import { looksLikeMt940, parseMt940File } from './statement-mt940';

export interface StatementParseOptions {
  format?: StatementFormat;
  dateOrder?: DateOrder;
  mapping?: StatementMapping;
  /** The reconciled account's currency, for CSV files without a currency column. */
  defaultCurrency: string;
}

export type StatementFamily = 'camt' | 'mt940' | 'csv';

/**
 * The family a file's content belongs to, whatever its name: XML (it starts
 * with "<" after a byte order mark and blanks) is camt, a first field :20:
 * (after any SWIFT blocks) is MT940, anything else is CSV. Which camt message
 * and version it is, the camt reader says from the content.
 */
export function detectStatementFamily(text: string): StatementFamily {
  const head = text.replace(/^\ufeff/, '').trimStart();
  if (head.startsWith('<')) return 'camt';
  if (looksLikeMt940(head)) return 'mt940';
  return 'csv';
}

/** The format a file is read as: the first camt format stands for camt files until the reader has named the message. */
export function detectStatementFormat(text: string): StatementFormat {
  const family = detectStatementFamily(text);
  return family === 'camt' ? 'camt053' : family;
}

function familyOf(format: StatementFormat): StatementFamily {
  return format === 'csv' || format === 'mt940' ? format : 'camt';
}

/** Parses a whole statement file, or refuses it with the line (or XML path) of the first problem: nothing half-read. */
export function parseStatementFile(text: string, options: StatementParseOptions): Result<ParsedStatementFile> {
  const family = options.format === undefined ? detectStatementFamily(text) : familyOf(options.format);
  if (family === 'camt') return parseCamtFile(text);
  if (family === 'mt940') return parseMt940File(text);
  const csv = parseCsvStatement(text, { mapping: options.mapping, dateOrder: options.dateOrder ?? 'auto', defaultCurrency: options.defaultCurrency });
  return csv.ok ? success({ format: 'csv', version: 'CSV', statements: [csv.value] }) : csv;
}

/** The first statement of a file (callers that know it holds one). */
export function parseStatement(text: string, options: StatementParseOptions): Result<ParsedStatement> {
  const file = parseStatementFile(text, options);
  return file.ok ? success(file.value.statements[0]) : file;
}
