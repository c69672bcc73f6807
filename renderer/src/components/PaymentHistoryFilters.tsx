import { useShallow } from 'zustand/react/shallow';
import type { PaymentListStatus } from '../../../shared/domain';
import { usePayDeskStore } from '../store';
import { Field } from './Field';

export function PaymentHistoryFilters() {
  const filter = usePayDeskStore((state) => state.paymentFilter);
  const accountCodes = usePayDeskStore(useShallow((state) => state.accounts.map((account) => account.code)));
  const setFilter = usePayDeskStore((state) => state.setPaymentFilter);

  return (
    <div className="filters">
      <Field label="Status" className="inline-field">
        {(control) => (
          <select {...control} value={filter.status} onChange={(event) => void setFilter({ status: event.target.value as PaymentListStatus | 'all' })}>
            <option value="all">All</option>
            <option value="accepted">Accepted</option>
            <option value="rejected">Rejected</option>
            <option value="pending">Waiting for approval</option>
          </select>
        )}
      </Field>
      <Field label="Account" className="inline-field">
        {(control) => (
          <select {...control} value={filter.account} onChange={(event) => void setFilter({ account: event.target.value })}>
            <option value="">All accounts</option>
            {accountCodes.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="From date" className="inline-field">
        {(control) => <input {...control} type="date" value={filter.fromDate} onChange={(event) => void setFilter({ fromDate: event.target.value })} />}
      </Field>
      <Field label="To date" className="inline-field">
        {(control) => <input {...control} type="date" value={filter.toDate} onChange={(event) => void setFilter({ toDate: event.target.value })} />}
      </Field>
    </div>
  );
}
