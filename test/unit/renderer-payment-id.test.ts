import { describe, expect, it } from 'vitest';
import { limits } from '../../shared/domain';
import { paymentIdSchema } from '../../shared/schemas';
import { createPaymentId } from '../../renderer/src/lib/payment-id';

describe('payment id', () => {
  it('carries the local date and 16 random hex digits', () => {
    const id = createPaymentId(new Date(2025, 2, 7, 23, 59), () => '0123abcd-ef45-6789-aaaa-bbbbccccdddd');
    expect(id).toBe('PAY-20250307-0123ABCDEF456789');
  });

  it('is accepted by the engine schema for payment ids', () => {
    const id = createPaymentId();
    expect(paymentIdSchema.safeParse(id).success).toBe(true);
    expect(id.length).toBeLessThanOrEqual(limits.paymentIdLength);
  });

  it('differs between two forms opened at the same moment', () => {
    const now = new Date();
    const ids = new Set(Array.from({ length: 1000 }, () => createPaymentId(now)));
    expect(ids.size).toBe(1000);
  });
});
