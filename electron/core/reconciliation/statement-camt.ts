import { parseAmount, parseNonNegativeAmount } from '../../../shared/money';
import { isKnownCurrency } from '../../../shared/currencies';
import { isValidIban, normaliseIban } from '../../../shared/iban';
import { failure, success, type Result } from '../../../shared/result';
import {
  clipText, reconciliationLimits, type ParsedStatement, type ParsedStatementFile, type StatementAccount, type StatementFormat, type StatementLine,
} from '../../../shared/reconciliation';
import { parseStatementDate } from './statement-dates';
import { at, childrenNamed, parseXml, textAt, type XmlElement } from './xml';

/**
 * ISO 20022 bank-to-customer cash management: camt.053 statements
 * (BkToCstmrStmt/Stmt), camt.052 account reports (BkToCstmrAcctRpt/Rpt) and
 * camt.054 debit/credit notifications (BkToCstmrDbtCdtNtfctn/Ntfctn), which
 * all carry the same entries (Ntry). The message may stand alone as
 * <Document> or sit in a business message envelope (BizMsgEnvlp, Message,
 * DataPDU, ...) beside its AppHdr; it may hold several statements, each read
 * with its id, account (IBAN or other id), period and balances. Entries not
 * booked (Sts PDNG or INFO) are left out. An entry whose TxDtls each carry
 * their own amount, adding up to the entry's, and name themselves by
 * end-to-end id becomes one line per transaction (a batch booking matched
 * payment by payment); otherwise it is one line (a settlement line). Reversals
 * (RvslInd true) keep the direction CdtDbtInd gives: ISO 20022 defines it as
 * the direction of the reversing booking, so a reversed credit is booked
 * DBIT. Errors name the element by its path, such as
 * /Document/BkToCstmrStmt/Stmt[2]/Ntry[3]/Amt, and its line.
 */

interface Kind {
  format: StatementFormat;
  container: string;
  item: string;
  number: string;
}

const kinds: readonly Kind[] = [
  { format: 'camt053', container: 'BkToCstmrStmt', item: 'Stmt', number: '053' },
  { format: 'camt052', container: 'BkToCstmrAcctRpt', item: 'Rpt', number: '052' },
  { format: 'camt054', container: 'BkToCstmrDbtCdtNtfctn', item: 'Ntfctn', number: '054' },
];

/** How deep in an envelope the message is looked for. */
const envelopeDepthMax = 6;

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

interface Amount {
  minor: number;
  currency: string;
}

function unsignedAmount(amount: XmlElement | undefined, path: string, parent: XmlElement, allowZero: boolean): Amount {
  if (amount === undefined) return fail(path, parent, 'the amount is missing.');
  const currency = (amount.attributes.Ccy ?? '').toUpperCase();
  if (!isKnownCurrency(currency)) fail(`${path}/@Ccy`, amount, `"${currency}" is not an ISO 4217 currency.`);
  const parsed = allowZero ? parseNonNegativeAmount(amount.text.trim(), currency) : parseAmount(amount.text.trim(), currency);
  if (!parsed.ok) return fail(path, amount, parsed.message);
  return { minor: parsed.value, currency };
}

function amountOf(element: XmlElement, path: string, currency: string | null, allowZero: boolean): Amount {
  const amount = unsignedAmount(at(element, 'Amt'), `${path}/Amt`, element, allowZero);
  if (currency !== null && amount.currency !== currency) {
    fail(`${path}/Amt/@Ccy`, at(element, 'Amt'), `${amount.currency} differs from the statement's ${currency}.`);
  }
  return { minor: amount.minor * signOf(element, path), currency: amount.currency };
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

function balancesOf(statement: XmlElement, statementPath: string): Balances {
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

function endToEndOf(transaction: XmlElement | undefined): string | null {
  const endToEndId = transaction === undefined ? '' : textAt(transaction, 'Refs', 'EndToEndId');
  return endToEndId === '' || endToEndId.toUpperCase() === 'NOTPROVIDED' ? null : clipText(endToEndId);
}

function remittanceOf(transactions: readonly XmlElement[]): string {
  const unstructured = transactions.flatMap((transaction) => childrenNamed(at(transaction, 'RmtInf') ?? transaction, 'Ustrd'));
  return [...new Set(unstructured.map((element) => element.text.trim()).filter((text) => text !== ''))].join(' ');
}

/** The transaction's own amount: TxDtls/Amt (camt versions 08 on) or TxDtls/AmtDtls/TxAmt/Amt (earlier). */
function transactionAmount(transaction: XmlElement): XmlElement | undefined {
  return at(transaction, 'Amt') ?? at(transaction, 'AmtDtls', 'TxAmt', 'Amt');
}

interface EntryContext {
  path: string;
  currency: string | null;
  nextLine: number;
}

function entryLines(entry: XmlElement, context: EntryContext): { lines: StatementLine[]; currency: string } {
  const { path } = context;
  const amount = amountOf(entry, path, context.currency, false);
  const bookingDate = dateOf(at(entry, 'BookgDt') ?? at(entry, 'ValDt'), `${path}/BookgDt`);
  const transactions = at(entry, 'NtryDtls') === undefined ? [] : childrenNamed(at(entry, 'NtryDtls')!, 'TxDtls');
  const reversal = textAt(entry, 'RvslInd').toLowerCase() === 'true';
  const extra = textAt(entry, 'AddtlNtryInf');
  const describe = (text: string) => clipText(`${reversal ? 'Reversal: ' : ''}${text}`, reconciliationLimits.descriptionLength);
  const split = splitTransactions(transactions, amount, path);
  if (split !== null) {
    const lines = transactions.map((transaction, index) => {
      const remittance = remittanceOf([transaction]);
      return {
        line: context.nextLine + index, bookingDate, amountMinor: split[index], endToEndId: endToEndOf(transaction),
        reference: clipText(textAt(transaction, 'RmtInf', 'Strd', 'CdtrRefInf', 'Ref') || remittance || textAt(transaction, 'Refs', 'AcctSvcrRef')),
        description: describe(remittance || extra),
      };
    });
    return { lines, currency: amount.currency };
  }
  // One transaction: its end-to-end id identifies the payment. Several: a settlement line with no single id.
  const single = transactions.length === 1 ? transactions[0] : undefined;
  const remittance = remittanceOf(transactions);
  const structuredReference = single === undefined ? '' : textAt(single, 'RmtInf', 'Strd', 'CdtrRefInf', 'Ref');
  const reference = structuredReference || remittance || textAt(entry, 'NtryRef') || textAt(entry, 'AcctSvcrRef');
  const line = {
    line: context.nextLine, bookingDate, amountMinor: amount.minor, reference: clipText(reference), description: describe(extra || remittance),
    endToEndId: endToEndOf(single),
  };
  return { lines: [line], currency: amount.currency };
}

/**
 * The signed amounts of an entry's transactions when there are several and
 * each states its own amount in the entry's currency, adding up exactly to
 * the entry; null otherwise (the entry stays one line).
 */
function splitTransactions(transactions: readonly XmlElement[], entry: Amount, path: string): number[] | null {
  // Without end-to-end ids the parts cannot be told apart: the entry stays a settlement line for the many-to-one pass.
  if (transactions.length < 2 || transactions.every((transaction) => endToEndOf(transaction) === null)) return null;
  const amounts: number[] = [];
  let sum = 0;
  for (const [index, transaction] of transactions.entries()) {
    const element = transactionAmount(transaction);
    if (element === undefined) return null;
    const amount = unsignedAmount(element, `${path}/NtryDtls/TxDtls[${index + 1}]/Amt`, transaction, false);
    if (amount.currency !== entry.currency) return null;
    const ownIndicator = textAt(transaction, 'CdtDbtInd');
    const sign = ownIndicator === '' ? Math.sign(entry.minor) : ownIndicator === 'DBIT' ? -1 : 1;
    amounts.push(sign * amount.minor);
    sum += sign * amount.minor;
  }
  return sum === entry.minor ? amounts : null;
}

function accountOf(statement: XmlElement): StatementAccount | null {
  const iban = normaliseIban(textAt(statement, 'Acct', 'Id', 'IBAN'));
  if (iban !== '') return isValidIban(iban) ? { kind: 'iban', value: iban } : { kind: 'other', value: iban };
  const other = textAt(statement, 'Acct', 'Id', 'Othr', 'Id');
  return other === '' ? null : { kind: 'other', value: other };
}

function periodOf(statement: XmlElement, path: string): { fromDate: string | null; toDate: string | null } {
  const range = at(statement, 'FrToDt');
  if (range === undefined) return { fromDate: null, toDate: null };
  const fromText = textAt(range, 'FrDtTm') || textAt(range, 'FrDt');
  const toText = textAt(range, 'ToDtTm') || textAt(range, 'ToDt');
  const fromDate = parseStatementDate(fromText, 'day-first');
  const toDate = parseStatementDate(toText, 'day-first');
  if (fromDate === null) fail(`${path}/FrToDt/FrDtTm`, range, `"${fromText}" is not an ISO date.`);
  if (toDate === null) fail(`${path}/FrToDt/ToDtTm`, range, `"${toText}" is not an ISO date.`);
  return { fromDate, toDate };
}

function readStatement(statement: XmlElement, path: string, format: StatementFormat): ParsedStatement {
  const balances = balancesOf(statement, path);
  let currency = balances.currency ?? (textAt(statement, 'Acct', 'Ccy').toUpperCase() || null);
  const entries = childrenNamed(statement, 'Ntry');
  if (entries.length > reconciliationLimits.statementLines) {
    fail(path, statement, `${entries.length} entries; at most ${reconciliationLimits.statementLines} are accepted.`);
  }
  const lines: StatementLine[] = [];
  let nextLine = 1;
  entries.forEach((entry, index) => {
    if (!isBooked(entry)) return void nextLine++;
    const read = entryLines(entry, { path: `${path}/Ntry[${index + 1}]`, currency, nextLine });
    currency ??= read.currency;
    lines.push(...read.lines);
    nextLine += read.lines.length;
  });
  if (lines.length > reconciliationLimits.statementLines) {
    fail(path, statement, `${lines.length} transactions; at most ${reconciliationLimits.statementLines} are accepted.`);
  }
  if (lines.length === 0 || currency === null) fail(path, statement, 'the statement has no booked entries (Ntry).');
  return {
    format, currency: currency!, lines, openingBalanceMinor: balances.opening, closingBalanceMinor: balances.closing,
    statementId: textAt(statement, 'Id') || null, account: accountOf(statement), ...periodOf(statement, path),
  };
}

interface Located {
  element: XmlElement;
  path: string;
  kind: Kind;
}

/** The message container, wherever the envelope puts it: /Document/BkToCstmrStmt, /BizMsgEnvlp/Document/BkToCstmrStmt, ... */
function locate(element: XmlElement, path: string, depth: number): Located | null {
  const kind = kinds.find((candidate) => candidate.container === element.name);
  if (kind !== undefined) return { element, path, kind };
  if (depth >= envelopeDepthMax) return null;
  for (const [index, child] of element.children.entries()) {
    const siblings = element.children.filter((candidate) => candidate.name === child.name).length;
    const position = siblings > 1 ? `[${element.children.slice(0, index + 1).filter((candidate) => candidate.name === child.name).length}]` : '';
    const found = locate(child, `${path}/${child.name}${position}`, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/** "camt.053.001.08" from the Document's namespace or the envelope's AppHdr/MsgDefIdr, else the bare message number. */
function versionOf(root: XmlElement, located: Located): string {
  const fromNamespace = /camt\.\d{3}\.\d{3}\.\d{2}/.exec(located.element.namespace);
  if (fromNamespace !== null) return fromNamespace[0];
  const header = findElement(root, 'AppHdr', envelopeDepthMax);
  const declared = header === undefined ? '' : textAt(header, 'MsgDefIdr');
  if (/^camt\.\d{3}\.\d{3}\.\d{2}$/.test(declared)) return declared;
  return `camt.${located.kind.number}`;
}

function findElement(element: XmlElement, name: string, depth: number): XmlElement | undefined {
  if (element.name === name) return element;
  if (depth === 0) return undefined;
  for (const child of element.children) {
    const found = findElement(child, name, depth - 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function readFile(root: XmlElement): ParsedStatementFile {
  const located = locate(root, `/${root.name}`, 0);
  if (located === null) {
    fail(`/${root.name}`, root, `no BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn was found under <${root.name}>: ` +
      'this is not a camt.053, camt.052 or camt.054 message.');
  }
  const { element, path, kind } = located!;
  const items = childrenNamed(element, kind.item);
  if (items.length === 0) fail(`${path}/${kind.item}`, element, `missing: the message holds no ${kind.item}.`);
  if (items.length > reconciliationLimits.statementsPerFile) {
    fail(path, element, `${items.length} statements; at most ${reconciliationLimits.statementsPerFile} are accepted in one file.`);
  }
  const statements = items.map((item, index) => readStatement(item, `${path}/${kind.item}${items.length > 1 ? `[${index + 1}]` : ''}`, kind.format));
  return { format: kind.format, version: versionOf(root, located!), statements };
}

export function parseCamtFile(text: string): Result<ParsedStatementFile> {
  const document = parseXml(text);
  if (!document.ok) return document;
  try {
    return success(readFile(document.value));
  } catch (error) {
    if (error instanceof CamtError) return failure('FF01', error.message);
    throw error;
  }
}

/** One statement: the first of the file (tests and callers that know the file holds one). */
export function parseCamtStatement(text: string): Result<ParsedStatement> {
  const file = parseCamtFile(text);
  return file.ok ? success(file.value.statements[0]) : file;
}
