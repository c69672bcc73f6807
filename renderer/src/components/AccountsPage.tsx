import { useMemo, useState } from 'react';
import { filterAccounts, sortAccounts, type AccountSort } from '../lib/account-list';
import { usePayDeskStore } from '../store';
import { AccountStatementPanel } from './AccountStatementPanel';
import { AccountTable } from './AccountTable';
import { FailureMessage } from './FailureMessage';
import { Field } from './Field';
import { NewAccountForm } from './NewAccountForm';
import { useCan } from '../pages/sign-in/session-store';

export function AccountsPage() {
  const accounts = usePayDeskStore((state) => state.accounts);
  const accountsError = usePayDeskStore((state) => state.accountsError);
  const actionFailure = usePayDeskStore((state) => state.accountActionFailure);
  const statementCode = usePayDeskStore((state) => state.statementCode);
  const [searchText, setSearchText] = useState('');
  const [sort, setSort] = useState<AccountSort>({ key: 'code', direction: 'ascending' });
  const [creating, setCreating] = useState(false);
  const canCreate = useCan('operator');
  const shown = useMemo(() => sortAccounts(filterAccounts(accounts, searchText), sort), [accounts, searchText, sort]);

  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Accounts</h1>
        <div className="toolbar">
          <Field label="Search accounts" className="inline-field">
            {(control) => (
              <input {...control} type="search" value={searchText} onChange={(event) => setSearchText(event.target.value)} placeholder="Code or name" />
            )}
          </Field>
          {creating || !canCreate ? null : (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New account
            </button>
          )}
        </div>
      </div>
      {creating ? <NewAccountForm onClose={() => setCreating(false)} /> : null}
      {accountsError === null ? null : <FailureMessage failure={accountsError} prefix="The accounts could not be loaded:" />}
      {actionFailure === null ? null : (
        <FailureMessage failure={actionFailure.failure} prefix={`Account ${actionFailure.accountCode} was not changed:`} />
      )}
      <AccountTable accounts={shown} totalCount={accounts.length} sort={sort} onSort={setSort} />
      {statementCode === null ? null : <AccountStatementPanel key={statementCode} />}
    </>
  );
}
