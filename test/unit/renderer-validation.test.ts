import { describe, expect, it } from 'vitest';
import type { Account } from '../../shared/domain';
import { checkNewAccountDraft, emptyNewAccountDraft } from '../../renderer/src/lib/new-account-validation';
import { checkPaymentDraft } from '../../renderer/src/lib/payment-validation';

function account(code: string, currency = 'EUR'): Account {
  return {
    code, name: `Account ${code}`, currency, kind: 'customer', status: 'open', overdraftLimitMinor: 0, balanceMinor: 0, reservedMinor: 0, createdAtMs: 0,
  };
}

const accounts = [account('A'), account('B'), account('Y1', 'JPY'), account('Y2', 'JPY')];

describe('payment form checks', () => {
  it('builds the request with the debtor currency and the form payment id', () => {
    const check = checkPaymentDraft({ debtor: 'A', creditor: 'B', amount: ' 10.50 ', reference: 'Invoice 7' }, 'PAY-1', accounts);
    expect(check.errors).toEqual({});
    expect(check.request).toEqual({ paymentId: 'PAY-1', debtor: 'A', creditor: 'B', amount: '10.50', currency: 'EUR', reference: 'Invoice 7' });
  });

  it('refuses paying an account to itself', () => {
    const check = checkPaymentDraft({ debtor: 'A', creditor: 'A', amount: '1', reference: '' }, 'PAY-1', accounts);
    expect(check.request).toBeNull();
    expect(check.errors.creditor).toMatch(/different accounts/);
  });

  it('refuses accounts in different currencies', () => {
    const check = checkPaymentDraft({ debtor: 'A', creditor: 'Y1', amount: '1', reference: '' }, 'PAY-1', accounts);
    expect(check.errors.creditor).toMatch(/same currency/);
  });

  it('refuses more decimals than the debtor currency has', () => {
    const amountError = (debtor: string, creditor: string, amount: string) =>
      checkPaymentDraft({ debtor, creditor, amount, reference: '' }, 'P', accounts).errors.amount;
    expect(amountError('Y1', 'Y2', '10.5')).toMatch(/JPY amounts have no decimals/);
    expect(amountError('A', 'B', '10.505')).toMatch(/at most 2 decimals/);
    expect(amountError('A', 'B', '0')).toMatch(/greater than zero/);
  });

  it('asks for both accounts when none is chosen', () => {
    const check = checkPaymentDraft({ debtor: '', creditor: '', amount: '', reference: '' }, 'P', accounts);
    expect(Object.keys(check.errors).sort()).toEqual(['amount', 'creditor', 'debtor']);
  });
});

describe('new account form checks', () => {
  it('accepts a complete draft and leaves out empty optional amounts', () => {
    const check = checkNewAccountDraft({ ...emptyNewAccountDraft, code: 'CUST-1', name: 'Ada' });
    expect(check.request).toEqual({ code: 'CUST-1', name: 'Ada', currency: 'EUR', kind: 'customer' });
  });

  it('flags a bad code, an empty name and an opening balance with too many decimals', () => {
    const check = checkNewAccountDraft({ ...emptyNewAccountDraft, code: 'bad code', currency: 'JPY', openingBalance: '1.5' });
    expect(check.request).toBeNull();
    expect(check.errors.code).toMatch(/letters, digits/);
    expect(check.errors.name).toMatch(/required/);
    expect(check.errors.openingBalance).toMatch(/no decimals/);
  });

  it('allows a zero overdraft limit', () => {
    const check = checkNewAccountDraft({ ...emptyNewAccountDraft, code: 'X', name: 'X', overdraftLimit: '0.00' });
    expect(check.errors).toEqual({});
    expect(check.request?.overdraftLimit).toBe('0.00');
  });
});
