import type { Account } from '../../../shared/domain';

export const accountSortKeys = ['code', 'name', 'kind', 'currency', 'status', 'balanceMinor'] as const;
export type AccountSortKey = (typeof accountSortKeys)[number];
export type SortDirection = 'ascending' | 'descending';

export interface AccountSort {
  key: AccountSortKey;
  direction: SortDirection;
}

/** Keeps accounts whose code or name contains the search text, ignoring case. */
export function filterAccounts(accounts: readonly Account[], searchText: string): Account[] {
  const needle = searchText.trim().toLowerCase();
  if (needle === '') return [...accounts];
  return accounts.filter(
    (account) => account.code.toLowerCase().includes(needle) || account.name.toLowerCase().includes(needle),
  );
}

/** Sorts a copy; ties fall back to the code so the order never jumps between refreshes. */
export function sortAccounts(accounts: readonly Account[], sort: AccountSort): Account[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...accounts].sort((left, right) => {
    const primary = compareField(left, right, sort.key);
    return primary !== 0 ? sign * primary : left.code.localeCompare(right.code);
  });
}

function compareField(left: Account, right: Account, key: AccountSortKey): number {
  if (key === 'balanceMinor') return left.balanceMinor - right.balanceMinor;
  return left[key].localeCompare(right[key], undefined, { sensitivity: 'base' });
}

/** Clicking the sorted column flips its direction; clicking another starts ascending. */
export function nextSort(current: AccountSort, clickedKey: AccountSortKey): AccountSort {
  if (current.key !== clickedKey) return { key: clickedKey, direction: 'ascending' };
  return { key: clickedKey, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}

/** What a payment may spend now: the balance less what approvals reserve (the overdraft limit comes on top where one is set). */
export function availableMinor(account: Account): number {
  return account.balanceMinor - account.reservedMinor;
}
