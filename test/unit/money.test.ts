import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  allocate, formatMinor, formatMinorGrouped, parseAmount, parseAmountInput, parseNonNegativeAmount, parseNonNegativeAmountInput,
} from '../../shared/money';
import { currencyExponent, currencyCodes } from '../../shared/currencies';

describe('money parsing', () => {
  it('parses decimals exactly into minor units', () => {
    expect(parseAmount('10.5', 'USD')).toEqual({ ok: true, value: 1050 });
    expect(parseAmount('10.50', 'USD')).toEqual({ ok: true, value: 1050 });
    expect(parseAmount('0.01', 'EUR')).toEqual({ ok: true, value: 1 });
    expect(parseAmount('1234', 'JPY')).toEqual({ ok: true, value: 1234 });
    expect(parseAmount('1.234', 'BHD')).toEqual({ ok: true, value: 1234 });
    expect(parseAmount('1.2345', 'CLF')).toEqual({ ok: true, value: 12345 });
    expect(parseAmount(' 7 ', 'EUR')).toEqual({ ok: true, value: 700 });
  });

  it('refuses too many decimals instead of rounding', () => {
    const result = parseAmount('10.005', 'USD');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('AM12');
      expect(result.message).toMatch(/at most 2 decimals/);
    }
    expect(parseAmount('1.5', 'JPY')).toMatchObject({ ok: false, code: 'AM12' });
  });

  it.each([
    ['1e3', 'AM12'],
    ['abc', 'AM12'],
    ['', 'AM12'],
    ['   ', 'AM12'],
    ['-5', 'AM01'],
    ['0', 'AM01'],
    ['0.00', 'AM01'],
    ['1,000.00', 'AM12'],
    ['.5', 'AM12'],
    ['5.', 'AM12'],
    ['+5', 'AM12'],
    ['0x10', 'AM12'],
    ['90071992547409.92', 'AM12'],
  ])('refuses %j with %s and a sentence', (text, code) => {
    const result = parseAmount(text, 'USD');
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  it('accepts the largest safe amount and nothing past it', () => {
    expect(parseAmount('90071992547409.91', 'USD')).toEqual({ ok: true, value: Number.MAX_SAFE_INTEGER });
  });

  it('computes short amounts in plain numbers exactly as the BigInt reading does, at every length and exponent', () => {
    // parseAmount takes plain numbers up to 15 digits and BigInt past them; both must give the same minor units.
    const reference = (integerDigits: string, fractionDigits: string, exponent: number) =>
      BigInt(integerDigits) * 10n ** BigInt(exponent) + BigInt(fractionDigits.padEnd(exponent, '0') || '0');
    const currencies = [['JPY', 0], ['USD', 2], ['BHD', 3], ['CLF', 4]] as const;
    fc.assert(fc.property(
      fc.constantFrom(...currencies), fc.stringMatching(/^\d{1,18}$/), fc.stringMatching(/^\d{0,4}$/),
      ([currency, exponent], integerDigits, fractionDigits) => {
        const text = fractionDigits === '' ? integerDigits : `${integerDigits}.${fractionDigits}`;
        const result = parseAmount(text, currency);
        const expected = reference(integerDigits, fractionDigits, exponent);
        if (fractionDigits.length > exponent || expected > BigInt(Number.MAX_SAFE_INTEGER)) expect(result).toMatchObject({ ok: false, code: 'AM12' });
        else if (expected === 0n) expect(result).toMatchObject({ ok: false, code: 'AM01' });
        else expect(result).toEqual({ ok: true, value: Number(expected) });
      },
    ), { numRuns: 5000 });
    expect(parseAmount('999999999999999', 'JPY')).toEqual({ ok: true, value: 999_999_999_999_999 });
    expect(parseAmount('9999999999999.99', 'USD')).toEqual({ ok: true, value: 999_999_999_999_999 });
    expect(parseAmount('000000000000000012.50', 'USD')).toEqual({ ok: true, value: 1250 });
  });

  it('refuses an unknown currency with AM03', () => {
    expect(parseAmount('10', 'XYZ')).toMatchObject({ ok: false, code: 'AM03' });
  });

  it('allows zero only where zero makes sense', () => {
    expect(parseNonNegativeAmount('0', 'EUR')).toEqual({ ok: true, value: 0 });
    expect(parseNonNegativeAmount('0.00', 'EUR')).toEqual({ ok: true, value: 0 });
    expect(parseNonNegativeAmount('0.000', 'EUR')).toMatchObject({ ok: false });
    expect(parseNonNegativeAmount('12.30', 'EUR')).toEqual({ ok: true, value: 1230 });
  });
});

describe('money formatting', () => {
  it('formats with the currency exponent', () => {
    expect(formatMinor(1050, 'USD')).toBe('10.50');
    expect(formatMinor(5, 'USD')).toBe('0.05');
    expect(formatMinor(-5, 'USD')).toBe('-0.05');
    expect(formatMinor(1234, 'JPY')).toBe('1234');
    expect(formatMinor(1, 'BHD')).toBe('0.001');
    expect(formatMinorGrouped(123456789, 'EUR')).toBe('1,234,567.89');
    expect(formatMinorGrouped(-100000, 'JPY')).toBe('-100,000');
  });

  it('round-trips every amount through format and parse in every currency', () => {
    fc.assert(
      fc.property(fc.constantFrom(...currencyCodes), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (currency, minor) => {
        expect(parseAmount(formatMinor(minor, currency), currency)).toEqual({ ok: true, value: minor });
      }),
    );
  });

  it('knows the ISO 4217 exponents that differ from two', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KRW')).toBe(0);
    expect(currencyExponent('BHD')).toBe(3);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
    expect(currencyExponent('UYW')).toBe(4);
    expect(currencyExponent('EUR')).toBe(2);
  });
});

describe('allocation', () => {
  it('splits by allocating the remainder, never losing a minor unit', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(5, [1, 1])).toEqual([3, 2]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 10 }), (amount, weights) => {
        const parts = allocate(amount, weights);
        expect(parts.reduce((sum, part) => sum + part, 0)).toBe(amount);
        expect(parts.every((part) => Number.isSafeInteger(part) && part >= 0)).toBe(true);
      }),
    );
  });
});

describe('amounts typed with thousands separators', () => {
  it('accepts commas between groups of three digits', () => {
    expect(parseAmountInput('1,000.00', 'EUR')).toEqual({ ok: true, value: 100_000 });
    expect(parseAmountInput(' 12,345,678.9 ', 'USD')).toEqual({ ok: true, value: 1_234_567_890 });
    expect(parseAmountInput('1,000', 'JPY')).toEqual({ ok: true, value: 1_000 });
    expect(parseAmountInput('1,000', 'EUR')).toEqual({ ok: true, value: 100_000 });
    expect(parseNonNegativeAmountInput('0', 'EUR')).toEqual({ ok: true, value: 0 });
    expect(parseNonNegativeAmountInput('2,500.00', 'EUR')).toEqual({ ok: true, value: 250_000 });
  });

  it('refuses a comma that could be a decimal comma, with a sentence', () => {
    for (const text of ['12,50', '1,00,000.00', '1,0000', ',100', '1,000,']) {
      const parsed = parseAmountInput(text, 'EUR');
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain('as in 1,250.50');
    }
    const kuwaiti = parseAmountInput('1,000', 'KWD');
    expect(kuwaiti.ok).toBe(false);
    if (!kuwaiti.ok) expect(kuwaiti.message).toContain('could be read two ways');
    expect(parseAmountInput('1,000.000', 'KWD')).toEqual({ ok: true, value: 1_000_000 });
  });

  it('keeps the other rules: negative, too many decimals', () => {
    expect(parseAmountInput('-1,000.00', 'EUR')).toMatchObject({ ok: false, code: 'AM01' });
    expect(parseAmountInput('1,000.001', 'EUR')).toMatchObject({ ok: false, code: 'AM12' });
  });
});
