import { parseAmount, parseNonNegativeAmount } from '../../../shared/money';
import { failure, success, type Result } from '../../../shared/result';

/**
 * Signed statement amounts, parsed exactly. Banks write signs and separators
 * in many ways: "-12.50", "12.50-", "(12.50)", "+12.50", "1 234,56",
 * "1.234,56", "1'234.56". The sign is taken off first, the grouping removed,
 * and what is left goes through shared/money's exact decimal parser.
 */

export type DecimalSeparator = '.' | ',';

/** The file's decimal separator: a comma when its amounts end in ",5" or ",50" and none in ".5" or ".50". */
export function detectDecimalSeparator(amountTexts: readonly string[], delimiter: string): DecimalSeparator {
  let commaDecimals = 0;
  let dotDecimals = 0;
  for (const text of amountTexts) {
    if (/,\d{1,2}\)?-?$/.test(text.trim())) commaDecimals++;
    else if (/\.\d{1,4}\)?-?$/.test(text.trim())) dotDecimals++;
  }
  if (commaDecimals > 0 && dotDecimals === 0) return ',';
  if (dotDecimals === 0 && delimiter === ';') return ',';
  return '.';
}

interface Signed {
  negative: boolean;
  digits: string;
}

function takeSign(text: string): Signed | null {
  let rest = text.trim().replace(/[\s\u00a0\u202f']/g, '');
  let negative = false;
  if (rest.startsWith('(') && rest.endsWith(')')) {
    negative = true;
    rest = rest.slice(1, -1);
  }
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = negative !== rest.startsWith('-');
    rest = rest.slice(1);
  } else if (rest.endsWith('-') || rest.endsWith('+')) {
    negative = negative !== rest.endsWith('-');
    rest = rest.slice(0, -1);
  }
  return rest === '' ? null : { negative, digits: rest };
}

function ungroup(digits: string, separator: DecimalSeparator): string {
  return separator === ',' ? digits.replace(/\./g, '').replace(',', '.') : digits.replace(/,/g, '');
}

/** A signed, non-zero amount in minor units: negative debits the account. */
export function parseSignedAmount(text: string, currency: string, separator: DecimalSeparator): Result<number> {
  const signed = takeSign(text);
  if (signed === null) return failure('AM12', `"${text.trim()}" is not an amount.`, 'amount');
  const parsed = parseAmount(ungroup(signed.digits, separator), currency);
  if (!parsed.ok) return parsed;
  return success(signed.negative ? -parsed.value : parsed.value);
}

/** A signed balance, which may be zero. */
export function parseSignedBalance(text: string, currency: string, separator: DecimalSeparator): Result<number> {
  const signed = takeSign(text);
  if (signed === null) return failure('AM12', `"${text.trim()}" is not an amount.`, 'balance');
  const parsed = parseNonNegativeAmount(ungroup(signed.digits, separator), currency);
  if (!parsed.ok) return parsed;
  return success(signed.negative ? -parsed.value : parsed.value);
}

const creditWords = new Set(['c', 'cr', 'crdt', 'credit', 'in', 'h', 'haben', '+']);
const debitWords = new Set(['d', 'dr', 'dbit', 'debit', 'out', 's', 'soll', '-']);

/** +1 for a credit indicator, -1 for a debit one, 0 when the text is neither. */
export function directionSign(text: string): 1 | -1 | 0 {
  const word = text.trim().toLowerCase();
  if (creditWords.has(word)) return 1;
  if (debitWords.has(word)) return -1;
  return 0;
}
