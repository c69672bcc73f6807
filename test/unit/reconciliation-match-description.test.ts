import { describe, expect, it } from 'vitest';
import type { MatchView } from '../../shared/reconciliation';
import { confidenceText, describeMatch } from '../../renderer/src/pages/reconciliation/match-description';

function match(change: Partial<MatchView>, lineReference: string, paymentReference: string, paymentDate = '2024-03-06'): MatchView {
  return {
    statementLine: { line: 5, bookingDate: '2024-03-06', amountMinor: 7_450, reference: lineReference, description: '', endToEndId: null },
    payments: [{ paymentId: 'P-1004', amountMinor: 7_500, bookingDate: paymentDate, reference: paymentReference, counterparty: 'CUST-A', batchId: null }],
    rule: 'amount-date',
    confidence: 0.91,
    amountDifferenceMinor: -50,
    decidedAtMs: 0,
    ...change,
  };
}

describe('why a reconciliation match was made', () => {
  it('names the fields that agree and the amount that differs, not a bare confidence', () => {
    const sameReference = match({ amountDifferenceMinor: -45 }, 'ORDER 5521', 'Order 5521');
    expect(describeMatch(sameReference, 'EUR')).toBe('Same reference, amount differs by 0.45, same day');
    const similar = match({}, 'Payment inv 2001', 'INV-2001', '2024-03-07');
    expect(describeMatch(similar, 'EUR')).toBe('Similar reference, amount differs by 0.50, 1 day apart');
    const differs = match({ amountDifferenceMinor: 0 }, 'Transfer', 'INV-4001', '2024-03-09');
    expect(describeMatch(differs, 'EUR')).toBe('Reference differs, same amount, 3 days apart');
    expect(confidenceText(match({}, 'a', 'b'))).toBe('91 % sure');
  });

  it('states the exact rules plainly, without a confidence', () => {
    expect(describeMatch(match({ rule: 'end-to-end-id', amountDifferenceMinor: 0 }, 'x', 'y'), 'EUR')).toBe('Same end-to-end id');
    expect(describeMatch(match({ rule: 'reference-amount', amountDifferenceMinor: 0 }, 'x', 'y'), 'EUR')).toBe('Same reference and amount');
    expect(describeMatch(match({ rule: 'manual' }, 'x', 'y'), 'EUR')).toBe('Matched by hand');
    expect(confidenceText(match({ rule: 'manual', confidence: 1 }, 'x', 'y'))).toBeNull();
  });
});
