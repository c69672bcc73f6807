import { describe, expect, it } from 'vitest';
import type { Account } from '../../shared/domain';
import { filterAccounts, nextSort, sortAccounts } from '../../renderer/src/lib/account-list';

function account(code: string, name: string, balanceMinor: number): Account {
  return { code, name, currency: 'EUR', kind: 'customer', status: 'open', overdraftLimitMinor: 0, balanceMinor, reservedMinor: 0, createdAtMs: 0 };
}

const accounts = [account('C-2', 'Zeta Ltd', -500), account('C-1', 'alpha GmbH', 9000), account('INT-1', 'Suspense', 0)];

describe('account list', () => {
  it('finds accounts by code or name regardless of case', () => {
    expect(filterAccounts(accounts, 'ALPHA').map((item) => item.code)).toEqual(['C-1']);
    expect(filterAccounts(accounts, 'c-').map((item) => item.code)).toEqual(['C-2', 'C-1']);
    expect(filterAccounts(accounts, '  ')).toHaveLength(3);
  });

  it('sorts balances as numbers, including negatives', () => {
    const ascending = sortAccounts(accounts, { key: 'balanceMinor', direction: 'ascending' });
    expect(ascending.map((item) => item.code)).toEqual(['C-2', 'INT-1', 'C-1']);
    const descending = sortAccounts(accounts, { key: 'balanceMinor', direction: 'descending' });
    expect(descending.map((item) => item.code)).toEqual(['C-1', 'INT-1', 'C-2']);
  });

  it('sorts names without regard to case and leaves the input untouched', () => {
    const sorted = sortAccounts(accounts, { key: 'name', direction: 'ascending' });
    expect(sorted.map((item) => item.code)).toEqual(['C-1', 'INT-1', 'C-2']);
    expect(accounts[0].code).toBe('C-2');
  });

  it('flips direction when the same column is clicked again', () => {
    expect(nextSort({ key: 'code', direction: 'ascending' }, 'code')).toEqual({ key: 'code', direction: 'descending' });
    expect(nextSort({ key: 'code', direction: 'descending' }, 'name')).toEqual({ key: 'name', direction: 'ascending' });
  });
});
