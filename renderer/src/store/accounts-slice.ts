import type { RequestOf } from '../../../shared/contract';
import type { Account, AccountStatus, StatementEntry } from '../../../shared/domain';
import type { Failure, Result } from '../../../shared/result';
import type { PayDeskClient } from '../api/client';
import type { SliceCreator } from './types';

/** Statement lines fetched per page: one screen of a dense table. */
export const statementPageSize = 50;

export interface AccountActionFailure {
  accountCode: string;
  failure: Failure;
}

export interface AccountListSlice {
  accounts: Account[];
  accountsLoaded: boolean;
  accountsError: Failure | null;
  accountActionFailure: AccountActionFailure | null;
  loadAccounts(): Promise<void>;
  createAccount(request: RequestOf<'account-create'>): Promise<Result<Account>>;
  setAccountStatus(accountCode: string, status: AccountStatus): Promise<Result<Account>>;
}

export interface StatementSlice {
  statementCode: string | null;
  statementAccount: Account | null;
  statementEntries: StatementEntry[];
  statementNextCursor: string | null;
  statementLoading: boolean;
  /** How many pages are shown; a refresh only replaces the first page. */
  statementPagesLoaded: number;
  statementError: Failure | null;
  openStatement(accountCode: string): Promise<void>;
  loadOlderStatement(): Promise<void>;
  refreshStatement(): Promise<void>;
  closeStatement(): void;
}

export type AccountsSlice = AccountListSlice & StatementSlice;

export function createAccountsSlice(client: PayDeskClient): SliceCreator<AccountListSlice> {
  return (set, get) => ({
    accounts: [],
    accountsLoaded: false,
    accountsError: null,
    accountActionFailure: null,
    async loadAccounts() {
      const result = await client.invoke('account-list', {});
      if (result.ok) set({ accounts: result.value, accountsLoaded: true, accountsError: null });
      else set({ accountsError: result });
    },
    async createAccount(request) {
      const result = await client.invoke('account-create', request);
      if (result.ok) await get().loadAccounts();
      return result;
    },
    async setAccountStatus(accountCode, status) {
      const result = await client.invoke('account-set-status', { code: accountCode, status });
      set({ accountActionFailure: result.ok ? null : { accountCode, failure: result } });
      if (result.ok) await Promise.all([get().loadAccounts(), get().refreshStatement()]);
      return result;
    },
  });
}

const closedStatement = {
  statementCode: null,
  statementAccount: null,
  statementEntries: [],
  statementNextCursor: null,
  statementLoading: false,
  statementPagesLoaded: 0,
  statementError: null,
} satisfies Partial<StatementSlice>;

/** The statement of the account the operator clicked, newest transfers first, older pages appended. */
export function createStatementSlice(client: PayDeskClient): SliceCreator<StatementSlice> {
  return (set, get) => {
    async function fetchStatement(accountCode: string, cursor: string | null) {
      set({ statementLoading: true });
      const result = await client.invoke('account-statement', { code: accountCode, limit: statementPageSize, cursor });
      // The operator may have opened another account while this page was on its way.
      if (get().statementCode !== accountCode) return;
      if (!result.ok) {
        set({ statementLoading: false, statementError: result });
        return;
      }
      const earlier = cursor === null ? [] : get().statementEntries;
      set({
        statementLoading: false,
        statementError: null,
        statementAccount: result.value.account,
        statementEntries: [...earlier, ...result.value.items],
        statementNextCursor: result.value.nextCursor,
        statementPagesLoaded: cursor === null ? 1 : get().statementPagesLoaded + 1,
      });
    }

    return {
      ...closedStatement,
      async openStatement(accountCode) {
        set({ ...closedStatement, statementCode: accountCode });
        await fetchStatement(accountCode, null);
      },
      async loadOlderStatement() {
        const { statementCode, statementNextCursor, statementLoading } = get();
        if (statementCode === null || statementNextCursor === null || statementLoading) return;
        await fetchStatement(statementCode, statementNextCursor);
      },
      async refreshStatement() {
        const { statementCode, statementPagesLoaded } = get();
        // Once older pages are loaded, a refresh would throw away what the operator scrolled to.
        if (statementCode === null || statementPagesLoaded > 1) return;
        await fetchStatement(statementCode, null);
      },
      closeStatement() {
        set(closedStatement);
      },
    };
  };
}
