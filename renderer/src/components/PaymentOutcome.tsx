import { isPaymentReasonCode } from '../../../shared/codes';
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
      {failure === null ? null : (
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
