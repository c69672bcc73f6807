import type { Account } from '../../../shared/domain';
import { formatMinorGrouped } from '../../../shared/money';
import { availableMinor, nextSort, type AccountSort, type AccountSortKey } from '../lib/account-list';
import { usePayDeskStore } from '../store';
import { AccountActions } from './AccountActions';

const columns: { key: AccountSortKey; label: string; numeric?: boolean }[] = [
  { key: 'code', label: 'Code' },
  { key: 'name', label: 'Name' },
  { key: 'kind', label: 'Kind' },
  { key: 'currency', label: 'Currency' },
  { key: 'status', label: 'Status' },
  { key: 'balanceMinor', label: 'Balance', numeric: true },
];

interface AccountTableProps {
  accounts: Account[];
  totalCount: number;
  sort: AccountSort;
  onSort: (sort: AccountSort) => void;
}

export function AccountTable({ accounts, totalCount, sort, onSort }: AccountTableProps) {
  return (
    <div className="table-frame">
      <table className="data-table" data-testid="accounts-table">
        <caption className="visually-hidden">Accounts, click a row to open its statement</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <SortableHeader key={column.key} label={column.label} numeric={column.numeric} sortKey={column.key} sort={sort} onSort={onSort} />
            ))}
            <th scope="col" className="numeric" title="Held for payments and batches waiting for approval">Reserved</th>
            <th scope="col" className="numeric" title="Balance less reserved: what payments may spend now">Available</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((account) => (
            <AccountRow key={account.code} account={account} />
          ))}
        </tbody>
      </table>
      {accounts.length === 0 ? (
        <p className="empty">{totalCount === 0 ? 'This ledger has no accounts yet.' : 'No account matches the search.'}</p>
      ) : null}
    </div>
  );
}

interface SortableHeaderProps {
  label: string;
  numeric?: boolean;
  sortKey: AccountSortKey;
  sort: AccountSort;
  onSort: (sort: AccountSort) => void;
}

function SortableHeader({ label, numeric, sortKey, sort, onSort }: SortableHeaderProps) {
  const active = sort.key === sortKey;
  const marker = active ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : '';
  return (
    <th scope="col" className={numeric ? 'numeric' : undefined} aria-sort={active ? sort.direction : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort(nextSort(sort, sortKey))}>
        {label}
        <span aria-hidden="true">{marker}</span>
      </button>
    </th>
  );
}

function AccountRow({ account }: { account: Account }) {
  const openStatement = usePayDeskStore((state) => state.openStatement);
  const selected = usePayDeskStore((state) => state.statementCode === account.code);
  return (
    <tr
      data-testid={`account-row-${account.code}`}
      className={`clickable${selected ? ' selected' : ''} status-${account.status}`}
      onClick={() => void openStatement(account.code)}
    >
      <td>
        {/* The click bubbles to the row; the button makes the row reachable from the keyboard. */}
        <button type="button" className="link-button" title="Open the statement">
          {account.code}
        </button>
      </td>
      <td>{account.name}</td>
      <td>{account.kind}</td>
      <td>{account.currency}</td>
      <td>
        <span className={`badge badge-${account.status}`}>{account.status}</span>
      </td>
      <td className="numeric" data-testid={`balance-${account.code}`}>
        {formatMinorGrouped(account.balanceMinor, account.currency)}
      </td>
      <td className="numeric" data-testid={`reserved-${account.code}`}>
        {account.reservedMinor === 0 ? <span className="muted">—</span> : formatMinorGrouped(account.reservedMinor, account.currency)}
      </td>
      <td className="numeric" data-testid={`available-${account.code}`}>
        {account.kind === 'equity' ? <span className="muted">—</span> : formatMinorGrouped(availableMinor(account), account.currency)}
      </td>
      <td className="actions" onClick={(event) => event.stopPropagation()}>
        <AccountActions account={account} />
      </td>
    </tr>
  );
}
