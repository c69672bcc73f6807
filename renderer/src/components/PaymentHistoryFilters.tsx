import { useShallow } from 'zustand/react/shallow';
import type { PaymentStatus } from '../../../shared/domain';
import { usePayDeskStore } from '../store';

export function PaymentHistoryFilters() {
  const filter = usePayDeskStore((state) => state.paymentFilter);
  const accountCodes = usePayDeskStore(useShallow((state) => state.accounts.map((account) => account.code)));
  const setFilter = usePayDeskStore((state) => state.setPaymentFilter);

  return (
    <div className="filters">
      <label className="inline-field">
        Status
        <select value={filter.status} onChange={(event) => void setFilter({ status: event.target.value as PaymentStatus | 'all' })}>
          <option value="all">All</option>
          <option value="accepted">Accepted</option>
          <option value="rejected">Rejected</option>
        </select>
      </label>
      <label className="inline-field">
        Account
        <select value={filter.account} onChange={(event) => void setFilter({ account: event.target.value })}>
          <option value="">All accounts</option>
          {accountCodes.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
      </label>
      <label className="inline-field">
        From date
        <input type="date" value={filter.fromDate} onChange={(event) => void setFilter({ fromDate: event.target.value })} />
      </label>
      <label className="inline-field">
        To date
        <input type="date" value={filter.toDate} onChange={(event) => void setFilter({ toDate: event.target.value })} />
      </label>
    </div>
  );
}
