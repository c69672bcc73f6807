import { isKnownCurrency } from '../../../shared/currencies';
import { failure, success, type Result } from '../../../shared/result';
import {
  clipText, reconciliationLimits, statementFields, type DateOrder, type ParsedStatement, type StatementField, type StatementLine,
  type StatementMapping,
} from '../../../shared/reconciliation';
import { detectDecimalSeparator, directionSign, parseSignedAmount, parseSignedBalance, type DecimalSeparator } from './statement-amounts';
import { decideDateOrder, parseStatementDate, type ResolvedDateOrder } from './statement-dates';
import { guessDelimiter, newlineOf, recordsOfText, unclosedQuoteLine, type CsvRecord } from '../csv/csv-records';

/**
 * CSV statements: default columns date, amount, currency, reference,
 * description (amount signed: positive credits the account). Quirks handled:
 * a byte order mark, comma, semicolon, tab or pipe delimiters, CRLF, quoted
 * fields with line breaks, a few lines of bank preamble above the header,
 * a trailing delimiter, decimal commas and grouped thousands, a separate
 * credit/debit column, an optional running balance. Any bad line refuses the
 * whole file with its line number: nothing is imported.
 */

/** Records looked at for the header row before giving up. */
const headerSearchRecords = 20;
const delimitersToGuess = [',', ';', '\t', '|'];

/** Header spellings each field answers to, compared lower case without spaces, dashes, dots or underscores. */
const headerAliases: Record<StatementField, readonly string[]> = {
  date: ['date', 'bookingdate', 'bookdate', 'transactiondate', 'postingdate', 'valuedate', 'datum', 'buchungstag'],
  amount: ['amount', 'value', 'sum', 'betrag', 'amountsigned'],
  currency: ['currency', 'ccy', 'cur', 'currencycode', 'waehrung', 'währung'],
  reference: ['reference', 'ref', 'paymentreference', 'remittanceinformation', 'verwendungszweck', 'creditorreference'],
  description: ['description', 'details', 'narrative', 'memo', 'text', 'counterparty', 'name', 'buchungstext'],
  endToEndId: ['endtoendid', 'e2eid', 'e2e', 'paymentid', 'transactionid'],
  direction: ['direction', 'creditdebit', 'cdtdbtind', 'dc', 'debitcredit', 'sign'],
  balance: ['balance', 'runningbalance', 'saldo', 'balanceafter'],
};

export interface CsvStatementOptions {
  mapping?: StatementMapping;
  dateOrder: DateOrder;
  /** Used when the file has no currency column: the reconciled account's currency. */
  defaultCurrency: string;
}

type CsvRow = CsvRecord;

export function normaliseStatementHeader(header: string): string {
  return header.trim().toLowerCase().replace(/[\s_\-.]+/g, '');
}

/** The mapping the headers suggest: each field gets the first column whose header is one of its spellings. */
export function suggestStatementMapping(headers: readonly string[]): StatementMapping {
  const mapping: StatementMapping = {};
  const taken = new Set<number>();
  for (const field of statementFields) {
    const index = headers.findIndex((header, position) => !taken.has(position) && headerAliases[field].includes(normaliseStatementHeader(header)));
    if (index >= 0) {
      mapping[field] = headers[index];
      taken.add(index);
    }
  }
  return mapping;
}

/**
 * Every record with the file line it starts on, read by the engine's one CSV
 * reader; blank records are skipped but their lines counted. The delimiter is
 * the candidate seen most often in the first lines, preamble included (a
 * bank's preamble uses the file's delimiter, or none).
 */
function readRows(text: string): Result<{ rows: CsvRow[]; delimiter: string }> {
  const openLine = unclosedQuoteLine(text);
  if (openLine !== null) return failure('FF01', `Line ${openLine}: a quoted field is never closed.`);
  const head = text.split(/\r\n|\n|\r/, headerSearchRecords).join('\n');
  const dialect = { delimiter: guessDelimiter(head, delimitersToGuess), newline: newlineOf(text) };
  return success({ rows: recordsOfText(text, dialect), delimiter: dialect.delimiter });
}

interface Layout {
  headerIndex: number;
  columns: Partial<Record<StatementField, number>>;
}

function findLayout(rows: CsvRow[], requested: StatementMapping | undefined): Result<Layout> {
  for (let index = 0; index < Math.min(rows.length, headerSearchRecords); index++) {
    const headers = rows[index].fields.map((field) => field.trim());
    const mapping = requested ?? suggestStatementMapping(headers);
    if (!mapping.date || !mapping.amount) continue;
    const columns: Partial<Record<StatementField, number>> = {};
    let complete = true;
    for (const field of statementFields) {
      const header = mapping[field];
      if (header === undefined || header === '') continue;
      const column = headers.indexOf(header.trim());
      if (column < 0) complete = false;
      else columns[field] = column;
    }
    if (complete) return success({ headerIndex: index, columns });
  }
  const wanted = requested === undefined ? 'date and amount columns' : 'every mapped column';
  return failure('FF01', `No header row with ${wanted} was found in the first ${headerSearchRecords} lines; map the columns.`);
}

export function parseCsvStatement(text: string, options: CsvStatementOptions): Result<ParsedStatement> {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (body.trim() === '') return failure('FF01', 'The statement is empty.');
  const read = readRows(body);
  if (!read.ok) return read;
  const layout = findLayout(read.value.rows, options.mapping);
  if (!layout.ok) return layout;
  const dataRows = read.value.rows.slice(layout.value.headerIndex + 1);
  if (dataRows.length === 0) return failure('FF01', 'The statement has a header but no lines.');
  if (dataRows.length > reconciliationLimits.statementLines) {
    return failure('FF01', `The statement has ${dataRows.length} lines; at most ${reconciliationLimits.statementLines} are accepted.`);
  }
  const columns = layout.value.columns;
  const cell = (row: CsvRow, field: StatementField) => (columns[field] === undefined ? '' : (row.fields[columns[field]!] ?? '').trim());
  const order = decideDateOrder(dataRows.map((row) => ({ text: cell(row, 'date'), line: row.line })), options.dateOrder);
  if (!order.ok) return failure('FF01', order.message, 'dateOrder');
  const separator = detectDecimalSeparator(dataRows.map((row) => cell(row, 'amount')), read.value.delimiter);
  const headerWidth = read.value.rows[layout.value.headerIndex].fields.length;
  return buildStatement(dataRows, { cell, headerWidth, order: order.order, separator, defaultCurrency: options.defaultCurrency });
}

interface RowContext {
  cell: (row: CsvRow, field: StatementField) => string;
  headerWidth: number;
  order: ResolvedDateOrder;
  separator: DecimalSeparator;
  defaultCurrency: string;
}

function buildStatement(rows: CsvRow[], context: RowContext): Result<ParsedStatement> {
  const currency = (context.cell(rows[0], 'currency') || context.defaultCurrency).toUpperCase();
  if (currency === '') return failure('AC01', 'The file has no currency column and names no account; choose the account it belongs to.', 'account');
  if (!isKnownCurrency(currency)) return failure('AM03', `Line ${rows[0].line}: "${currency}" is not an ISO 4217 currency.`, 'currency');
  const lines: StatementLine[] = [];
  let closingBalanceMinor: number | null = null;
  let openingBalanceMinor: number | null = null;
  for (const row of rows) {
    const built = buildLine(row, context, currency);
    if (!built.ok) return { ...built, message: `Line ${row.line}: ${built.message}` };
    lines.push(built.value.line);
    if (built.value.balanceMinor !== null) {
      openingBalanceMinor ??= built.value.balanceMinor - built.value.line.amountMinor;
      closingBalanceMinor = built.value.balanceMinor;
    }
  }
  return success({
    format: 'csv', currency, lines, openingBalanceMinor, closingBalanceMinor, statementId: null, account: null, fromDate: null, toDate: null,
  });
}

function buildLine(row: CsvRow, context: RowContext, currency: string): Result<{ line: StatementLine; balanceMinor: number | null }> {
  const extra = row.fields.slice(context.headerWidth);
  if (row.fields.length < context.headerWidth || extra.some((field) => field.trim() !== '')) {
    return failure('FF01', `it has ${row.fields.length} fields where the header has ${context.headerWidth}.`);
  }
  const dateText = context.cell(row, 'date');
  const bookingDate = parseStatementDate(dateText, context.order);
  if (bookingDate === null) return failure('FF01', `"${dateText}" is not a date (YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or MM/DD/YYYY).`, 'date');
  const lineCurrency = (context.cell(row, 'currency') || currency).toUpperCase();
  if (lineCurrency !== currency) return failure('AM03', `the currency ${lineCurrency} differs from the statement's ${currency}.`, 'currency');
  const amount = parseSignedAmount(context.cell(row, 'amount'), currency, context.separator);
  if (!amount.ok) return amount;
  let amountMinor = amount.value;
  const directionText = context.cell(row, 'direction');
  if (directionText !== '') {
    const sign = directionSign(directionText);
    if (sign === 0) return failure('FF01', `"${directionText}" is neither credit nor debit.`, 'direction');
    amountMinor = Math.abs(amountMinor) * sign;
  }
  let balanceMinor: number | null = null;
  const balanceText = context.cell(row, 'balance');
  if (balanceText !== '') {
    const balance = parseSignedBalance(balanceText, currency, context.separator);
    if (!balance.ok) return balance;
    balanceMinor = balance.value;
  }
  const endToEndId = context.cell(row, 'endToEndId');
  return success({
    line: {
      line: row.line, bookingDate, amountMinor,
      reference: clipText(context.cell(row, 'reference')),
      description: clipText(context.cell(row, 'description'), reconciliationLimits.descriptionLength),
      endToEndId: endToEndId === '' || endToEndId.toUpperCase() === 'NOTPROVIDED' ? null : clipText(endToEndId),
    },
    balanceMinor,
  });
}
