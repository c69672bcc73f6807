import { isKnownCurrency } from '../../../shared/currencies';
import { isValidIban, normaliseIban } from '../../../shared/iban';
import { parseAmount, parseNonNegativeAmount } from '../../../shared/money';
import { failure, success, type Result } from '../../../shared/result';
import {
  clipText, reconciliationLimits, type ParsedStatement, type ParsedStatementFile, type StatementAccount, type StatementLine,
} from '../../../shared/reconciliation';

/**
 * SWIFT MT940 customer statements. A file holds one or more messages, each
 * ended by a line "-" (or "-}" inside SWIFT blocks {1:..}{2:..}{4:); lines
 * end in CRLF or LF. Fields read: :20: reference, :25: account (an IBAN,
 * possibly followed by the currency, or the bank's own id), :28C: statement
 * number, :60F:/:60M: opening, :61: lines, :86: information to the account
 * owner (free text, or ?00-?63 subfields with SEPA keywords EREF+, SVWZ+ in
 * ?20-?29), :62F:/:62M: closing, :64: (available, ignored). In :61: the mark
 * D/C debits/credits the account, and RD/RC, the reversal of a debit/credit,
 * credits/debits it. Amounts use a decimal comma and are parsed exactly.
 * Every error names the file line and the field.
 */

class Mt940Error extends Error {}

function fail(line: number, tag: string, message: string): never {
  throw new Mt940Error(`Line ${line} (:${tag}:): ${message}`);
}

interface Field {
  tag: string;
  value: string;
  line: number;
}

/** Splits a message body into fields; continuation lines join the field above with a line break. */
function fieldsOf(lines: readonly { text: string; line: number }[]): Field[] {
  const fields: Field[] = [];
  for (const { text, line } of lines) {
    const tagged = /^:(\d{2}[A-Z]?):(.*)$/.exec(text);
    if (tagged !== null) fields.push({ tag: tagged[1], value: tagged[2], line });
    else if (fields.length > 0) fields[fields.length - 1].value += `\n${text}`;
    else if (text.trim() !== '') throw new Mt940Error(`Line ${line}: expected a field such as :20:, found "${clipText(text, 40)}".`);
  }
  return fields;
}

/** SWIFT's basic, application and user header blocks ({1:..}{2:..}{3:{108:..}}) and the opening of the text block {4: before the fields. */
const swiftBlocks = /^(?:\{[1235]:(?:[^{}]|\{[^{}]*\})*\})+(?:\{4:)?|^\{4:/;

/** The file's messages: the lines between separators, SWIFT block headers taken off. */
function messagesOf(text: string): { text: string; line: number }[][] {
  const messages: { text: string; line: number }[][] = [];
  let current: { text: string; line: number }[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    let content = raw.replace(/\s+$/, '');
    const block = swiftBlocks.exec(content);
    if (block !== null) content = content.slice(block[0].length);
    if (content === '-' || content === '-}' || /^-\}(?:\{5:.*\})?$/.test(content)) {
      if (current.some((line) => line.text !== '')) messages.push(current);
      current = [];
      return;
    }
    if ((content === '' && current.length === 0) || content === ':940:') return;
    // A bank that leaves out the "-" starts the next message with its :20: right after the closing balance.
    if (content.startsWith(':20:') && current.some((line) => /^:62[FM]:/.test(line.text))) {
      messages.push(current);
      current = [];
    }
    current.push({ text: content, line: index + 1 });
  });
  if (current.some((line) => line.text !== '')) messages.push(current.filter((line) => line.text !== ''));
  return messages.map((message) => message.filter((line) => line.text !== ''));
}

function isoFromYymmdd(text: string, line: number, tag: string): string {
  const year = 2000 + Number(text.slice(0, 2));
  const month = Number(text.slice(2, 4));
  const day = Number(text.slice(4, 6));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (!/^\d{6}$/.test(text) || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) fail(line, tag, `"${text}" is not a date YYMMDD.`);
  return date.toISOString().slice(0, 10);
}

/** An MT940 amount: digits, a decimal comma, at most the currency's decimals. */
function amountMinor(text: string, currency: string, line: number, tag: string, allowZero: boolean): number {
  if (!/^\d{1,15},\d*$/.test(text)) fail(line, tag, `"${text}" is not an amount: digits with a decimal comma, such as 1250,00.`);
  const decimal = text.replace(',', '.').replace(/\.$/, '');
  const parsed = allowZero ? parseNonNegativeAmount(decimal, currency) : parseAmount(decimal, currency);
  if (!parsed.ok) fail(line, tag, parsed.message);
  return parsed.value;
}

interface Balance {
  minor: number;
  currency: string;
  date: string;
}

function balanceOf(field: Field): Balance {
  const match = /^([CD])(\d{6})([A-Z]{3})([\d,]+)$/.exec(field.value.trim());
  if (match === null) {
    fail(field.line, field.tag, `expected C or D, a date YYMMDD, a currency and an amount, such as C240301EUR1250,00; found "${field.value.trim()}".`);
  }
  const currency = match[3];
  if (!isKnownCurrency(currency)) fail(field.line, field.tag, `"${currency}" is not an ISO 4217 currency.`);
  const minor = amountMinor(match[4], currency, field.line, field.tag, true);
  return { minor: match[1] === 'D' ? -minor : minor, currency, date: isoFromYymmdd(match[2], field.line, field.tag) };
}

/** :61: value date YYMMDD, entry date MMDD, mark, funds code, amount, type (N/F/S + 3), reference [//bank reference] [\n details]. */
const statementLinePattern = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d[\d,]*)([NSF][A-Z0-9]{3})(.*)$/;

interface LineContext {
  currency: string;
  number: number;
}

function entryDate(valueDate: string, mmdd: string | undefined, field: Field): string {
  if (mmdd === undefined) return valueDate;
  let year = Number(valueDate.slice(0, 4));
  const month = Number(mmdd.slice(0, 2));
  const valueMonth = Number(valueDate.slice(5, 7));
  // The entry date has no year: it is the value date's, or the next or previous one across a new year.
  if (valueMonth === 12 && month === 1) year++;
  if (valueMonth === 1 && month === 12) year--;
  return isoFromYymmdd(`${String(year % 100).padStart(2, '0')}${mmdd}`, field.line, field.tag);
}

function statementLine(field: Field, information: Field | undefined, context: LineContext): StatementLine {
  const [first, ...rest] = field.value.split('\n');
  const match = statementLinePattern.exec(first.trim());
  if (match === null) {
    fail(field.line, field.tag, 'expected value date YYMMDD, optional entry date MMDD, D, C, RD or RC, an amount with a decimal comma, ' +
      `a transaction type such as NTRF and a reference; found "${clipText(first.trim(), 60)}".`);
  }
  const [, valueText, entryText, mark, , amountText, , references] = match;
  const valueDate = isoFromYymmdd(valueText, field.line, field.tag);
  const minor = amountMinor(amountText, context.currency, field.line, field.tag, false);
  // D debits, C credits; RD reverses a debit (so it credits), RC reverses a credit (so it debits).
  const credits = mark === 'C' || mark === 'RD';
  const [ownReference, bankReference = ''] = references.split('//');
  const details = information === undefined ? null : informationOf(information.value);
  const customerReference = ownReference.trim().toUpperCase() === 'NONREF' ? '' : ownReference.trim();
  const reversal = mark.startsWith('R') ? 'Reversal: ' : '';
  const description = [details?.name, details?.postingText, rest.join(' ').trim()].filter((part) => part !== undefined && part !== '').join(' ');
  return {
    line: context.number, bookingDate: entryDate(valueDate, entryText, field), amountMinor: credits ? minor : -minor,
    reference: clipText(details?.remittance || customerReference || details?.text || bankReference.trim()),
    description: clipText(`${reversal}${description || (details?.text ?? '')}`, reconciliationLimits.descriptionLength),
    endToEndId: clipText(details?.endToEndId ?? customerReference) || null,
  };
}

interface Information {
  text: string;
  remittance: string;
  endToEndId: string | null;
  name: string;
  postingText: string;
}

const sepaKeywords = ['EREF', 'KREF', 'MREF', 'CRED', 'DEBT', 'SVWZ', 'ABWA', 'ABWE', 'COAM', 'OAMT', 'BREF', 'RREF', 'IBAN', 'BIC'];

/** :86: as free text, or with ?NN subfields: ?00 posting text, ?20-?29 and ?60-?63 remittance, ?32-?33 name. */
export function informationOf(value: string): Information {
  const joined = value.replace(/\n/g, '');
  if (!/^\d{3}\?/.test(joined) && !joined.startsWith('?')) {
    const text = value.replace(/\n/g, ' ').trim();
    return { text, remittance: '', endToEndId: null, name: '', postingText: '' };
  }
  const subfields = new Map<number, string>();
  for (const part of joined.split('?').slice(1)) {
    const code = Number(part.slice(0, 2));
    if (Number.isInteger(code)) subfields.set(code, (subfields.get(code) ?? '') + part.slice(2));
  }
  const range = (from: number, to: number) =>
    [...subfields.entries()].filter(([code]) => code >= from && code <= to).sort(([left], [right]) => left - right).map(([, text]) => text);
  const purpose = [...range(20, 29), ...range(60, 63)].join('');
  const keyed = new Map<string, string>();
  const keywordPattern = new RegExp(`(${sepaKeywords.join('|')})\\+`, 'g');
  const starts = [...purpose.matchAll(keywordPattern)];
  starts.forEach((start, index) => {
    const end = index + 1 < starts.length ? starts[index + 1].index : purpose.length;
    keyed.set(start[1], purpose.slice(start.index + start[0].length, end).trim());
  });
  const endToEnd = keyed.get('EREF') ?? '';
  const remittance = starts.length > 0 ? (keyed.get('SVWZ') ?? '') : purpose.trim();
  return {
    text: purpose.trim(), remittance, endToEndId: endToEnd === '' || endToEnd.toUpperCase() === 'NOTPROVIDED' ? null : endToEnd,
    name: range(32, 33).join('').trim(), postingText: (subfields.get(0) ?? '').trim(),
  };
}

function accountOf(field: Field): StatementAccount {
  const value = field.value.replace(/\n/g, '').trim();
  const compact = normaliseIban(value);
  if (isValidIban(compact)) return { kind: 'iban', value: compact };
  // Many banks write the account's currency after the IBAN.
  if (/[A-Z]{3}$/.test(compact) && isValidIban(compact.slice(0, -3))) return { kind: 'iban', value: compact.slice(0, -3) };
  return { kind: 'other', value };
}

function require(fields: Field[], tags: readonly string[], messageLine: number, what: string): Field {
  const field = fields.find((candidate) => tags.includes(candidate.tag));
  if (field === undefined) throw new Mt940Error(`Line ${messageLine}: the statement has no :${tags[0]}: field (${what}).`);
  return field;
}

function readMessage(lines: { text: string; line: number }[]): ParsedStatement {
  const fields = fieldsOf(lines);
  const firstLine = lines[0].line;
  const reference = require(fields, ['20'], firstLine, 'transaction reference');
  const account = require(fields, ['25', '25P'], firstLine, 'account identification');
  const opening = balanceOf(require(fields, ['60F', '60M'], firstLine, 'opening balance'));
  const closingField = require(fields, ['62F', '62M'], firstLine, 'closing balance');
  const closing = balanceOf(closingField);
  if (closing.currency !== opening.currency) {
    fail(closingField.line, closingField.tag, `${closing.currency} differs from the opening balance's ${opening.currency}.`);
  }
  const statementNumber = fields.find((field) => field.tag === '28C' || field.tag === '28')?.value.trim() ?? '';
  const statementLines: StatementLine[] = [];
  fields.forEach((field, index) => {
    if (field.tag !== '61') return;
    if (statementLines.length >= reconciliationLimits.statementLines) {
      fail(field.line, field.tag, `more than ${reconciliationLimits.statementLines} lines in one statement.`);
    }
    const next = fields[index + 1];
    statementLines.push(statementLine(field, next?.tag === '86' ? next : undefined, { currency: opening.currency, number: field.line }));
  });
  if (statementLines.length === 0) throw new Mt940Error(`Line ${firstLine}: the statement has no :61: lines.`);
  return {
    format: 'mt940', currency: opening.currency, lines: statementLines, openingBalanceMinor: opening.minor, closingBalanceMinor: closing.minor,
    statementId: clipText(statementNumber === '' ? reference.value.trim() : `${reference.value.trim()} ${statementNumber}`),
    account: accountOf(account), fromDate: opening.date, toDate: closing.date,
  };
}

/** True when the text looks like MT940: its first field (after SWIFT blocks) is :20: or :940:. */
export function looksLikeMt940(text: string): boolean {
  const head = text.replace(/^\ufeff/, '').trimStart().slice(0, 400).replace(swiftBlocks, '').trimStart();
  return /^:(20|940):/.test(head);
}

export function parseMt940File(text: string): Result<ParsedStatementFile> {
  try {
    const messages = messagesOf(text.replace(/^\ufeff/, ''));
    if (messages.length === 0) return failure('FF01', 'The MT940 file holds no statement.');
    if (messages.length > reconciliationLimits.statementsPerFile) {
      return failure('FF01', `The MT940 file holds ${messages.length} statements; at most ${reconciliationLimits.statementsPerFile} are accepted.`);
    }
    return success({ format: 'mt940', version: 'MT940', statements: messages.map(readMessage) });
  } catch (error) {
    if (error instanceof Mt940Error) return failure('FF01', error.message);
    throw error;
  }
}
