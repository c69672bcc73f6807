import { PaymentForm } from './PaymentForm';
import { PaymentHistory } from './PaymentHistory';
import { PaymentOutcome } from './PaymentOutcome';

export function PaymentsPage() {
  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Payments</h1>
      </div>
      <div className="payment-entry">
        <PaymentForm />
        <PaymentOutcome />
      </div>
      <PaymentHistory />
    </>
  );
}
