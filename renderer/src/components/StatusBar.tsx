import type { ConnectionState } from '../api/client';
import { usePayDeskStore } from '../store';
import { statusLabel } from '../lib/format';
import { isPaymentReasonCode } from '../../../shared/codes';
import { formatCount } from '../../../shared/metrics-format';

const connectionLabels: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  unreachable: 'Engine unreachable',
};

export function StatusBar() {
  const accountCount = usePayDeskStore((state) => state.ledgerInfo?.accounts);
  const paymentCount = usePayDeskStore((state) => state.ledgerInfo?.payments);
  const connection = usePayDeskStore((state) => state.connection);
  const lastPayment = usePayDeskStore((state) => state.lastPayment);
  return (
    <footer className="status-bar">
      <span>Accounts: {accountCount === undefined ? '—' : formatCount(accountCount)}</span>
      <span data-testid="status-payments">Payments: {paymentCount === undefined ? '—' : formatCount(paymentCount)}</span>
      <span className={`connection connection-${connection}`}>{connectionLabels[connection]}</span>
      <span className="last-payment">
        {lastPayment === null
          ? 'No payment yet in this session'
          : `Last payment ${lastPayment.paymentId}: ${statusLabel(lastPayment.status)}${isPaymentReasonCode(lastPayment.code) ? ` (${lastPayment.code})` : ''}`}
      </span>
    </footer>
  );
}
