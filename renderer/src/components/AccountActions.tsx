import { useState } from 'react';
import type { Account, AccountStatus } from '../../../shared/domain';
import { usePayDeskStore } from '../store';

/** Block, unblock and close one account. Closing cannot be undone, so it asks first. */
export function AccountActions({ account }: { account: Account }) {
  const setAccountStatus = usePayDeskStore((state) => state.setAccountStatus);
  const [busy, setBusy] = useState(false);
  const [confirmingClose, setConfirmingClose] = useState(false);

  async function change(status: AccountStatus) {
    setBusy(true);
    await setAccountStatus(account.code, status);
    setBusy(false);
    setConfirmingClose(false);
  }

  if (account.status === 'closed') return <span className="muted">Closed</span>;
  // The equity side of opening balances belongs to the ledger itself: the engine refuses to block or close it.
  if (account.kind === 'equity') return <span className="muted">Ledger account</span>;
  if (confirmingClose) {
    return (
      <span className="confirm">
        Close {account.code}?{' '}
        <button type="button" className="danger" disabled={busy} onClick={() => void change('closed')}>
          Confirm close
        </button>
        <button type="button" disabled={busy} onClick={() => setConfirmingClose(false)}>
          Cancel
        </button>
      </span>
    );
  }
  return (
    <span className="button-row">
      {account.status === 'open' ? (
        <button type="button" disabled={busy} onClick={() => void change('blocked')} aria-label={`Block ${account.code}`}>
          Block
        </button>
      ) : (
        <button type="button" disabled={busy} onClick={() => void change('open')} aria-label={`Unblock ${account.code}`}>
          Unblock
        </button>
      )}
      <button type="button" disabled={busy} onClick={() => setConfirmingClose(true)} aria-label={`Close ${account.code}`}>
        Close
      </button>
    </span>
  );
}
