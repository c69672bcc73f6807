import { parseAmount, parseNonNegativeAmount } from '../../../shared/money';
import { isKnownCurrency } from '../../../shared/currencies';
import { failure, success, type Result } from '../../../shared/result';
import { clipText, reconciliationLimits, type ParsedStatement, type StatementLine } from '../../../shared/reconciliation';
import { parseStatementDate } from './statement-dates';
import { at, childrenNamed, parseXml, textAt, type XmlElement } from './xml';

/**
 * ISO 20022 camt.053 (BkToCstmrStmt): one statement (Stmt) with its opening
 * (OPBD, or PRCD) and closing (CLBD) balances and its booked entries (Ntry):
 * amount with currency, CdtDbtInd, booking date, end-to-end id and remittance
 * information. Entries not booked (Sts PDNG or INFO) are left out. Errors
 * name the element by its path, such as /Document/BkToCstmrStmt/Stmt/Ntry[3]/Amt.
 */

const statementPath = '/Document/BkToCstmrStmt/Stmt';

class CamtError extends Error {}

function fail(path: string, element: XmlElement | undefined, message: string): never {
  throw new CamtError(`${path}${element === undefined ? '' : ` (line ${element.line})`}: ${message}`);
}

function signOf(element: XmlElement, path: string): 1 | -1 {
  const indicator = textAt(element, 'CdtDbtInd');
  if (indicator === 'CRDT') return 1;
  if (indicator === 'DBIT') return -1;
  return fail(`${path}/CdtDbtInd`, at(element, 'CdtDbtInd') ?? element, `"${indicator}" is neither CRDT nor DBIT.`);
}

function amountOf(element: XmlElement, path: string, currency: string | null, allowZero: boolean): { minor: number; currency: string } {
  const amount = at(element, 'Amt');
  if (amount === undefined) return fail(`${path}/Amt`, element, 'the amount is missing.');
  const amountCurrency = (amount.attributes.Ccy ?? '').toUpperCase();
  if (!isKnownCurrency(amountCurrency)) fail(`${path}/Amt/@Ccy`, amount, `"${amountCurrency}" is not an ISO 4217 currency.`);
  if (currency !== null && amountCurrency !== currency) fail(`${path}/Amt/@Ccy`, amount, `${amountCurrency} differs from the statement's ${currency}.`);
  const parsed = allowZero ? parseNonNegativeAmount(amount.text, amountCurrency) : parseAmount(amount.text, amountCurrency);
  if (!parsed.ok) return fail(`${path}/Amt`, amount, parsed.message);
  return { minor: parsed.value * signOf(element, path), currency: amountCurrency };
}

function dateOf(element: XmlElement | undefined, path: string): string {
  const text = element === undefined ? '' : textAt(element, 'Dt') || textAt(element, 'DtTm');
  const iso = parseStatementDate(text, 'day-first');
  if (iso === null) return fail(path, element, `"${text}" is not an ISO date.`);
  return iso;
}

interface Balances {
  opening: number | null;
  closing: number | null;
  currency: string | null;
}

function balancesOf(statement: XmlElement): Balances {
  const balances: Balances = { opening: null, closing: null, currency: null };
  childrenNamed(statement, 'Bal').forEach((balance, index) => {
    const path = `${statementPath}/Bal[${index + 1}]`;
    const code = textAt(balance, 'Tp', 'CdOrPrtry', 'Cd') || textAt(balance, 'Tp', 'CdOrPrtry', 'Prtry');
    const amount = amountOf(balance, path, balances.currency, true);
    balances.currency ??= amount.currency;
    if (code === 'OPBD' || (code === 'PRCD' && balances.opening === null)) balances.opening = amount.minor;
    if (code === 'CLBD') balances.closing = amount.minor;
  });
  return balances;
}

function isBooked(entry: XmlElement): boolean {
  const status = textAt(entry, 'Sts', 'Cd') || textAt(entry, 'Sts');
  return status === '' || status === 'BOOK';
}

function entryLine(entry: XmlElement, ordinal: number, path: string, currency: string | null): { line: StatementLine; currency: string } {
  const amount = amountOf(entry, path, currency, false);
  const bookedOn = at(entry, 'BookgDt') ?? at(entry, 'ValDt');
  const bookingDate = dateOf(bookedOn, `${path}/BookgDt`);
  const transactions = (at(entry, 'NtryDtls') === undefined ? [] : childrenNamed(at(entry, 'NtryDtls')!, 'TxDtls'));
  // One transaction: its end-to-end id identifies the payment. Several: a settlement line with no single id.
  const single = transactions.length === 1 ? transactions[0] : undefined;
  const endToEndId = single === undefined ? '' : textAt(single, 'Refs', 'EndToEndId');
  const unstructured = transactions.flatMap((transaction) => childrenNamed(at(transaction, 'RmtInf') ?? transaction, 'Ustrd'));
  const structuredReference = single === undefined ? '' : textAt(single, 'RmtInf', 'Strd', 'CdtrRefInf', 'Ref');
  const remittance = [...new Set(unstructured.map((element) => element.text.trim()).filter((text) => text !== ''))].join(' ');
  const reference = structuredReference || remittance || textAt(entry, 'NtryRef') || textAt(entry, 'AcctSvcrRef');
  const description = textAt(entry, 'AddtlNtryInf') || remittance;
  return {
    currency: amount.currency,
    line: {
      line: ordinal, bookingDate, amountMinor: amount.minor, reference: clipText(reference),
      description: clipText(description, reconciliationLimits.descriptionLength),
      endToEndId: endToEndId === '' || endToEndId.toUpperCase() === 'NOTPROVIDED' ? null : clipText(endToEndId),
    },
  };
}

function readStatement(document: XmlElement): ParsedStatement {
  if (document.name !== 'Document') fail('/', document, `the root element is <${document.name}>, not <Document>.`);
  const container = at(document, 'BkToCstmrStmt');
  if (container === undefined) fail('/Document/BkToCstmrStmt', document, 'missing: this is not a camt.053 statement.');
  const statements = childrenNamed(container!, 'Stmt');
  if (statements.length !== 1) fail(statementPath, container, `the file holds ${statements.length} statements; reconcile one at a time.`);
  const statement = statements[0];
  const balances = balancesOf(statement);
  let currency = balances.currency ?? (textAt(statement, 'Acct', 'Ccy').toUpperCase() || null);
  const lines: StatementLine[] = [];
  const entries = childrenNamed(statement, 'Ntry');
  if (entries.length > reconciliationLimits.statementLines) {
    fail(statementPath, statement, `${entries.length} entries; at most ${reconciliationLimits.statementLines} are accepted.`);
  }
  entries.forEach((entry, index) => {
    if (!isBooked(entry)) return;
    const read = entryLine(entry, index + 1, `${statementPath}/Ntry[${index + 1}]`, currency);
    currency ??= read.currency;
    lines.push(read.line);
  });
  if (lines.length === 0 || currency === null) fail(statementPath, statement, 'the statement has no booked entries (Ntry).');
  return { format: 'camt053', currency: currency!, lines, openingBalanceMinor: balances.opening, closingBalanceMinor: balances.closing };
}

export function parseCamtStatement(text: string): Result<ParsedStatement> {
  const document = parseXml(text);
  if (!document.ok) return document;
  try {
    return success(readStatement(document.value));
  } catch (error) {
    if (error instanceof CamtError) return failure('FF01', error.message);
    throw error;
  }
}
