import { formatMinorGrouped } from '../../../shared/money';
import type { PaymentRecord } from '../../../shared/domain';
import { isPaymentReasonCode } from '../../../shared/codes';
import { formatPlt, formatTimestamp, statusLabel } from '../lib/format';
import { usePayDeskStore } from '../store';
import { FailureMessage } from './FailureMessage';
import { PaymentHistoryFilters } from './PaymentHistoryFilters';

export function PaymentHistory() {
  const records = usePayDeskStore((state) => state.paymentRecords);
  const paymentsError = usePayDeskStore((state) => state.paymentsError);

  return (
    <section className="panel history" aria-labelledby="history-title">
      <div className="panel-heading">
        <h2 id="history-title">Payment history</h2>
      </div>
      <PaymentHistoryFilters />
      {paymentsError === null ? null : <FailureMessage failure={paymentsError} prefix="The payments could not be loaded:" />}
      <div className="table-frame">
        <table className="data-table" data-testid="payments-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Payment id</th>
              <th scope="col">Debtor</th>
              <th scope="col">Creditor</th>
              <th scope="col" className="numeric">Amount</th>
              <th scope="col">Currency</th>
              <th scope="col">Status</th>
              <th scope="col">Reference</th>
              <th scope="col" className="numeric">PLT</th>
            </tr>
          </thead>
          <tbody>
            {records.map((record) => (
              <PaymentRow key={record.paymentId} record={record} />
            ))}
          </tbody>
        </table>
        {records.length === 0 ? <p className="empty">No payments match these filters.</p> : null}
      </div>
      <PaymentPager />
    </section>
  );
}

function PaymentRow({ record }: { record: PaymentRecord }) {
  return (
    <tr data-testid={`payment-row-${record.paymentId}`}>
      <td className="nowrap">{formatTimestamp(record.receivedAtMs)}</td>
      <td className="mono">{record.paymentId}</td>
      <td>{record.debtor}</td>
      <td>{record.creditor}</td>
      <td className="numeric">{formatMinorGrouped(record.amountMinor, record.currency)}</td>
      <td>{record.currency}</td>
      <td title={record.message}>
        <span className={`badge badge-${record.status}`}>{statusLabel(record.status)}</span>{' '}
        {isPaymentReasonCode(record.code) ? <span className="code">{record.code}</span> : null}
      </td>
      <td>{record.reference}</td>
      <td className="numeric">{formatPlt(record.pltUs)}</td>
    </tr>
  );
}

function PaymentPager() {
  const hasNewer = usePayDeskStore((state) => state.paymentNewerCursors.length > 0);
  const hasOlder = usePayDeskStore((state) => state.paymentNextCursor !== null);
  const pageNumber = usePayDeskStore((state) => state.paymentNewerCursors.length + 1);
  const loading = usePayDeskStore((state) => state.paymentsLoading);
  const showNewer = usePayDeskStore((state) => state.showNewerPayments);
  const showOlder = usePayDeskStore((state) => state.showOlderPayments);
  return (
    <div className="pager">
      <button type="button" disabled={!hasNewer || loading} onClick={() => void showNewer()}>
        Newer
      </button>
      <span className="muted">Page {pageNumber}</span>
      <button type="button" disabled={!hasOlder || loading} onClick={() => void showOlder()}>
        Older
      </button>
    </div>
  );
}
