import { describe, expect, it } from 'vitest';
import { endOfDayMs, formatPlt, formatSignedMinor, formatTimestamp, startOfDayMs } from '../../renderer/src/lib/format';

describe('renderer formatting', () => {
  it('shows latency in milliseconds with three significant digits', () => {
    expect(formatPlt(412)).toBe('0.412 ms');
    expect(formatPlt(3214)).toBe('3.21 ms');
    expect(formatPlt(12_345)).toBe('12.3 ms');
    expect(formatPlt(1_234_567)).toBe('1,235 ms');
    expect(formatPlt(null)).toBe('—');
  });

  it('shows statement amounts with their sign using the currency exponent', () => {
    expect(formatSignedMinor(123456, 'EUR')).toBe('+1,234.56');
    expect(formatSignedMinor(-5, 'EUR')).toBe('-0.05');
    expect(formatSignedMinor(1500, 'JPY')).toBe('+1,500');
    expect(formatSignedMinor(1, 'BHD')).toBe('+0.001');
  });

  it('turns a date range into a filter that covers both whole days', () => {
    const fromMs = startOfDayMs('2025-03-14');
    const toMs = endOfDayMs('2025-03-14');
    expect(fromMs).toBe(new Date(2025, 2, 14).getTime());
    expect(toMs).toBe(new Date(2025, 2, 15).getTime() - 1);
    expect(startOfDayMs('')).toBeUndefined();
    expect(endOfDayMs('14/03/2025')).toBeUndefined();
  });

  it('writes timestamps as local date and time with zero padding', () => {
    expect(formatTimestamp(new Date(2025, 0, 2, 3, 4, 5).getTime())).toBe('2025-01-02 03:04:05');
  });
});
