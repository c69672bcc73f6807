import { isPaymentReasonCode } from '../../../shared/codes';
import { duplicateWindowMs } from '../../../shared/domain';
import { formatPlt, statusLabel } from '../lib/format';
import { usePayDeskStore } from '../store';
import { FailureMessage } from './FailureMessage';

/** The engine's answer to the form. The region is always present so screen readers announce changes. */
export function PaymentOutcome() {
  const outcome = usePayDeskStore((state) => state.paymentOutcome);
  const failure = usePayDeskStore((state) => state.paymentFailure);
  const submitting = usePayDeskStore((state) => state.paymentSubmitting);
  const paymentId = usePayDeskStore((state) => state.paymentId);

  return (
    <section className="panel outcome" data-testid="payment-outcome" aria-live="polite" aria-labelledby="outcome-title">
      <h2 id="outcome-title">Outcome</h2>
      {submitting ? <p className="muted">Waiting for the engine…</p> : null}
      {!submitting && outcome === null && failure === null ? <p className="muted">No payment submitted yet.</p> : null}
      {failure?.code === 'POSSIBLE_DUPLICATE' ? <DuplicateWarning message={failure.message} /> : null}
      {failure === null || failure.code === 'POSSIBLE_DUPLICATE' ? null : (
        <>
          <FailureMessage failure={failure} prefix="Not processed:" />
          <p className="muted">
            Submitting again reuses payment id <span className="mono">{paymentId}</span>, so the engine never pays twice.
          </p>
        </>
      )}
      {outcome === null ? null : (
        <div className={`outcome-${outcome.status}`}>
          <p className="outcome-status">{statusLabel(outcome.status)}</p>
          {outcome.replayed ? <p className="replayed">Already processed: showing the first outcome</p> : null}
          <dl className="outcome-details">
            {isPaymentReasonCode(outcome.code) ? (
              <>
                <dt>Code</dt>
                <dd className="code">{outcome.code}</dd>
              </>
            ) : null}
            <dt>Reason</dt>
            <dd>{outcome.message}</dd>
            <dt>PLT</dt>
            <dd>{formatPlt(outcome.pltUs)}</dd>
            <dt>Payment id</dt>
            <dd className="mono">{outcome.paymentId}</dd>
          </dl>
        </div>
      )}
    </section>
  );
}

/** The engine held back a payment that looks like one made minutes ago: the operator decides, knowing the rule. */
function DuplicateWarning({ message }: { message: string }) {
  const submitPayment = usePayDeskStore((state) => state.submitPayment);
  const startNewPayment = usePayDeskStore((state) => state.startNewPayment);
  const submitting = usePayDeskStore((state) => state.paymentSubmitting);
  const windowMinutes = Math.round(duplicateWindowMs / 60_000);
  return (
    <div className="duplicate-warning" role="alert" data-testid="duplicate-warning">
      <p className="outcome-status">Not paid yet: possible duplicate</p>
      <p>{message}</p>
      <p className="muted">
        PayDesk asks before paying when the debtor, creditor, amount, currency and reference match a payment made or waiting for
        approval in the last {windowMinutes} minutes.
      </p>
      <div className="form-actions">
        {/* The safe answer has the focus: a reflex Enter must not pay twice. */}
        <button type="button" className="primary" disabled={submitting} onClick={startNewPayment} autoFocus>
          Don't pay
        </button>
        <button type="button" disabled={submitting} onClick={() => void submitPayment(true)}>
          Pay it again
        </button>
      </div>
    </div>
  );
}
