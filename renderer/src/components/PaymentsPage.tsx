import { PaymentForm } from './PaymentForm';
import { PaymentHistory } from './PaymentHistory';
import { PaymentOutcome } from './PaymentOutcome';
import { useCan } from '../pages/sign-in/session-store';

export function PaymentsPage() {
  // A viewer reads the history; the form is hidden (and core refuses payment-submit to a viewer regardless).
  const canPay = useCan('operator');
  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Payments</h1>
      </div>
      {canPay ? (
        <div className="payment-entry">
          <PaymentForm />
          <PaymentOutcome />
        </div>
      ) : null}
      <PaymentHistory />
    </>
  );
}
