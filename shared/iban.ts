import { failure, success, type Result } from './result';

/**
 * IBANs (ISO 13616): two letters of country, two check digits, then the
 * country's basic bank account number. Written with or without spaces, in
 * either case; kept in the electronic form (upper case, no spaces). Checked by
 * shape, by the country's length where the IBAN registry gives one, and by
 * the check digits (mod 97 = 1), computed in small integer steps.
 */

/** IBAN lengths by country (SWIFT IBAN registry). */
const ibanLengths: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22,
  DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24,
  ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31,
  SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** The electronic form: spaces removed, upper case. */
export function normaliseIban(text: string): string {
  return text.replace(/[\s\u00a0]+/g, '').toUpperCase();
}

function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : character;
    for (const digit of digits) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder;
}

/** The IBAN in electronic form, or AC01 with what is wrong with it. */
export function parseIban(text: string): Result<string> {
  const iban = normaliseIban(text);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) {
    return failure('AC01', `"${text.trim()}" is not an IBAN: two letters, two check digits and 11 to 30 letters or digits.`, 'iban');
  }
  const length = ibanLengths[iban.slice(0, 2)];
  if (length !== undefined && iban.length !== length) {
    return failure('AC01', `A ${iban.slice(0, 2)} IBAN has ${length} characters; ${iban} has ${iban.length}.`, 'iban');
  }
  if (mod97(iban) !== 1) return failure('AC01', `The check digits of ${iban} are wrong: it is mistyped.`, 'iban');
  return success(iban);
}

export function isValidIban(text: string): boolean {
  return parseIban(text).ok;
}
