import { formatMinorGrouped } from '../../../shared/money';
import { formatSignedMinor, formatTimestamp } from '../lib/format';
import { usePayDeskStore } from '../store';
import { AccountIdentifiers } from './AccountIdentifiers';
import { FailureMessage } from './FailureMessage';

export function AccountStatementPanel() {
  const statementCode = usePayDeskStore((state) => state.statementCode);
  const account = usePayDeskStore((state) => state.statementAccount);
  const entries = usePayDeskStore((state) => state.statementEntries);
  const nextCursor = usePayDeskStore((state) => state.statementNextCursor);
  const loading = usePayDeskStore((state) => state.statementLoading);
  const statementError = usePayDeskStore((state) => state.statementError);
  const loadOlder = usePayDeskStore((state) => state.loadOlderStatement);
  const close = usePayDeskStore((state) => state.closeStatement);
  const currency = account?.currency ?? 'EUR';

  return (
    <section className="panel statement" aria-labelledby="statement-title">
      <div className="panel-heading">
        <h2 id="statement-title">
          Statement of {statementCode}
          {account === null ? null : ` — ${account.name} (${account.currency})`}
        </h2>
        {account === null ? null : (
          <span className="statement-balance">
            Balance <strong className="amount">{formatMinorGrouped(account.balanceMinor, account.currency)}</strong> {account.currency}
          </span>
        )}
        <button type="button" onClick={close}>
          Close statement
        </button>
      </div>
      {statementError === null ? null : <FailureMessage failure={statementError} prefix="The statement could not be loaded:" />}
      {account === null ? null : <AccountIdentifiers account={account} />}
      <table className="data-table" data-testid="statement-table">
        <thead>
          <tr>
            <th scope="col">Date and time</th>
            <th scope="col">Payment id</th>
            <th scope="col">Counterparty</th>
            <th scope="col">Reference</th>
            <th scope="col" className="numeric">Amount</th>
            <th scope="col" className="numeric">Balance after</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry, index) => (
            <tr key={`${index}-${entry.paymentId}`}>
              <td className="nowrap">{formatTimestamp(entry.receivedAtMs)}</td>
              <td className="mono">{entry.paymentId}</td>
              <td>{entry.counterparty}</td>
              <td>{entry.reference}</td>
              <td className={`numeric ${entry.amountMinor < 0 ? 'debit' : 'credit'}`}>{formatSignedMinor(entry.amountMinor, currency)}</td>
              <td className="numeric">{formatMinorGrouped(entry.balanceAfterMinor, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === 0 && !loading ? <p className="empty">No transfers on this account yet.</p> : null}
      <div className="pager">
        {loading ? <span className="muted">Loading…</span> : null}
        {nextCursor === null ? null : (
          <button type="button" disabled={loading} onClick={() => void loadOlder()}>
            Load older
          </button>
        )}
      </div>
    </section>
  );
}
