import { currencyExponent } from './currencies';
import { failure, success, type Result } from './result';

/**
 * Money is integer minor units (a safe integer) with the currency's ISO 4217
 * exponent. A float never holds an amount: decimal strings are parsed digit by
 * digit, and too many decimals is an error, never a rounding.
 */

/** The largest magnitude any single amount may have, in minor units. */
export const maxAmountMinor = Number.MAX_SAFE_INTEGER;

const decimalPattern = /^(\d+)(?:\.(\d+))?$/;

/** Parses a positive decimal amount such as "10.5" into minor units (1050 for USD). */
export function parseAmount(text: string, currency: string): Result<number> {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) {
    return failure('AM03', `${describe(currency)} is not an active ISO 4217 currency.`, 'currency');
  }
  const trimmed = text.trim();
  if (trimmed === '') return failure('AM12', 'The amount is empty.', 'amount');
  if (trimmed.startsWith('-')) {
    return failure('AM01', `The amount ${trimmed} is negative; amounts must be greater than zero.`, 'amount');
  }
  const match = decimalPattern.exec(trimmed);
  if (match === null) {
    return failure('AM12', `"${clip(trimmed)}" is not a decimal amount such as 1250.50.`, 'amount');
  }
  const integerDigits = match[1];
  const fractionDigits = match[2] ?? '';
  if (fractionDigits.length > exponent) {
    const allowed = exponent === 0 ? 'no decimals' : `at most ${exponent} decimals`;
    return failure('AM12', `${currency} amounts have ${allowed}; "${clip(trimmed)}" has ${fractionDigits.length}.`, 'amount');
  }
  const minor = integerDigits.length + exponent <= exactDigitsMax
    ? Number(integerDigits) * 10 ** exponent + Number(fractionDigits.padEnd(exponent, '0') || '0')
    : minorOfLongAmount(integerDigits, fractionDigits, exponent);
  if (minor === 0) return failure('AM01', 'The amount must be greater than zero.', 'amount');
  if (minor > maxAmountMinor) {
    return failure('AM12', `The amount ${clip(trimmed)} ${currency} is larger than PayDesk can hold exactly.`, 'amount');
  }
  return success(minor);
}

/**
 * Digits that a double holds exactly whatever they are: an amount of at most
 * this many digits (integer part and the currency's decimals) is computed in
 * plain numbers, which a batch does for every row, twice. Longer ones go
 * through BigInt.
 */
const exactDigitsMax = 15;

/** Minor units of an amount too long for exactDigitsMax; anything past the exact range comes back as Infinity. */
function minorOfLongAmount(integerDigits: string, fractionDigits: string, exponent: number): number {
  const minor = BigInt(integerDigits) * 10n ** BigInt(exponent) + BigInt(fractionDigits.padEnd(exponent, '0') || '0');
  return minor > BigInt(maxAmountMinor) ? Infinity : Number(minor);
}

const groupedPattern = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/**
 * Takes the thousands separators out of an amount an operator typed, such as
 * "1,250.50", where that reading is the only one: commas between groups of
 * three digits, a point for decimals. "1,000" in a currency with three
 * decimals (BHD, KWD) could be a decimal comma and is refused; so is any other
 * comma, which would be a decimal comma ("12,50").
 */
export function ungroupAmount(text: string, currency: string): Result<string> {
  const trimmed = text.trim();
  if (!trimmed.includes(',')) return success(trimmed);
  const negative = trimmed.startsWith('-');
  const unsigned = negative ? trimmed.slice(1).trim() : trimmed;
  if (!groupedPattern.test(unsigned)) {
    const sentence = 'is not an amount PayDesk can read: write decimals with a point and group thousands with commas, as in 1,250.50.';
    return failure('AM12', `"${clip(trimmed)}" ${sentence}`, 'amount');
  }
  if (!unsigned.includes('.') && currencyExponent(currency) === 3) {
    const digits = unsigned.replaceAll(',', '');
    const sentence = `could be read two ways in ${currency}, which has three decimals: write ${digits} or ${digits}.000 without the comma.`;
    return failure('AM12', `"${clip(trimmed)}" ${sentence}`, 'amount');
  }
  return success(`${negative ? '-' : ''}${unsigned.replaceAll(',', '')}`);
}

/** An amount as an operator types it: thousands separators are accepted where unambiguous (see ungroupAmount). */
export function parseAmountInput(text: string, currency: string): Result<number> {
  const ungrouped = ungroupAmount(text, currency);
  return ungrouped.ok ? parseAmount(ungrouped.value, currency) : ungrouped;
}

/** An amount that may be zero, as an operator types it. */
export function parseNonNegativeAmountInput(text: string, currency: string): Result<number> {
  const ungrouped = ungroupAmount(text, currency);
  return ungrouped.ok ? parseNonNegativeAmount(ungrouped.value, currency) : ungrouped;
}

/** Parses an amount that may be zero (an opening balance or a limit). */
export function parseNonNegativeAmount(text: string, currency: string): Result<number> {
  const trimmed = text.trim();
  if (/^0+(?:\.0+)?$/.test(trimmed)) {
    const exponent = currencyExponent(currency);
    const fraction = trimmed.split('.')[1] ?? '';
    if (exponent !== undefined && fraction.length <= exponent) return success(0);
  }
  return parseAmount(text, currency);
}

/** Formats minor units as a plain decimal string with the currency's exponent: 1050 USD is "10.50". */
export function formatMinor(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor)) throw new Error(`amount ${amountMinor} is not a safe integer`);
  const exponent = currencyExponent(currency) ?? 2;
  const negative = amountMinor < 0;
  const digits = Math.abs(amountMinor).toString();
  if (exponent === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(exponent + 1, '0');
  const integerPart = padded.slice(0, padded.length - exponent);
  const fractionPart = padded.slice(padded.length - exponent);
  return `${negative ? '-' : ''}${integerPart}.${fractionPart}`;
}

/** Formats with digit grouping for display: 1234567 USD is "12,345.67". */
export function formatMinorGrouped(amountMinor: number, currency: string): string {
  const plain = formatMinor(amountMinor, currency);
  const negative = plain.startsWith('-');
  const unsigned = negative ? plain.slice(1) : plain;
  const [integerPart, fractionPart] = unsigned.split('.');
  const grouped = integerPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fractionPart === undefined ? '' : `.${fractionPart}`}`;
}

/**
 * Splits an amount into parts proportional to weights, allocating the
 * remainder one minor unit at a time so the parts always sum to the whole.
 */
export function allocate(amountMinor: number, weights: readonly number[]): number[] {
  if (weights.length === 0) throw new Error('allocate needs at least one weight');
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) throw new Error('allocate needs a positive total weight');
  const whole = BigInt(amountMinor);
  const parts = weights.map((weight) => (whole * BigInt(weight)) / BigInt(total));
  let remainder = whole - parts.reduce((sum, part) => sum + part, 0n);
  for (let index = 0; remainder > 0n; index = (index + 1) % parts.length) {
    parts[index] += 1n;
    remainder -= 1n;
  }
  return parts.map(Number);
}

function describe(currency: string): string {
  return currency === '' ? 'An empty currency' : `"${clip(currency)}"`;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
