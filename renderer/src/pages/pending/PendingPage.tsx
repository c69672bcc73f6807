import { useState } from 'react';
import type { PendingPayment } from '../../../../shared/access';
import { formatMinorGrouped } from '../../../../shared/money';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { formatTimestamp } from '../../lib/format';
import { useCan, useSessionStore } from '../sign-in/session-store';
import { useEngineQuery } from '../sign-in/use-engine-list';
import { PendingBatches } from './PendingBatches';
import { ThresholdPanel } from './ThresholdPanel';
import './pending.css';

/** How long a payment has waited, as a person says it. */
export function formatAge(ageMs: number): string {
  const minutes = Math.floor(ageMs / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} days`;
}

/**
 * The Approve / Reject buttons of one pending item, for approvers: short labels on screen, the item
 * named for screen readers. The operator who submitted the item is offered neither (four-eyes: someone
 * else decides); an empty cell keeps the columns aligned once the item is decided, and viewers without
 * the role get no column at all.
 */
export function DecisionCell(props: {
  canApprove: boolean; pending: boolean; submittedBy: string; what: string; onDecide: (verb: 'approve' | 'reject') => void;
}) {
  const username = useSessionStore((state) => state.operator?.username);
  if (!props.canApprove) return null;
  if (!props.pending) return <td />;
  if (props.submittedBy === username) return <td className="muted own-request">Your request: another approver decides.</td>;
  return (
    <td className="decision">
      <span className="button-row">
        <button type="button" className="primary" aria-label={`Approve ${props.what}`} onClick={() => props.onDecide('approve')}>Approve</button>
        <button type="button" aria-label={`Reject ${props.what}`} onClick={() => props.onDecide('reject')}>Reject</button>
      </span>
    </td>
  );
}

/** Payments and batches above the approval threshold, waiting for a second operator with the approver role. */

export function PendingPage() {
  const [status, setStatus] = useState<'pending' | 'approved' | 'rejected'>('pending');
  const { value, failure, reload } = useEngineQuery('approval-list', { status });
  const [decisionFailure, setDecisionFailure] = useState<Failure | null>(null);
  const [decided, setDecided] = useState<string | null>(null);
  async function decide(paymentId: string, verb: 'approve' | 'reject') {
    const result = await api.invoke(verb === 'approve' ? 'approval-approve' : 'approval-reject', { paymentId });
    setDecisionFailure(result.ok ? null : result);
    setDecided(result.ok ? `Payment ${paymentId} ${result.value.status}.` : null);
    await reload();
  }
  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Pending approvals</h1>
        <label className="inline-field">
          Show{' '}
          <select value={status} onChange={(event) => setStatus(event.target.value as typeof status)}>
            <option value="pending">Waiting</option>
            <option value="approved">Approved</option>
            <option value="rejected">Rejected</option>
          </select>
        </label>
      </div>
      {decided === null ? null : <p className="success" role="status">{decided}</p>}
      {decisionFailure === null ? null : <FailureMessage failure={decisionFailure} prefix="Not decided:" />}
      {failure === null ? null : <FailureMessage failure={failure} />}
      <section aria-labelledby="pending-payments-title">
        <h2 id="pending-payments-title">Payments</h2>
        <PendingTable payments={value ?? []} onDecide={decide} />
      </section>
      <PendingBatches status={status} />
      <ThresholdPanel />
    </>
  );
}

function PendingTable({ payments, onDecide }: { payments: PendingPayment[]; onDecide: (paymentId: string, verb: 'approve' | 'reject') => void }) {
  const canApprove = useCan('approver');
  if (payments.length === 0) return <p className="empty">Nothing here.</p>;
  return (
    <div className="table-frame">
      <table className="data-table" aria-label="Payments waiting for approval">
        <thead>
          <tr>
            <th scope="col">Payment</th><th scope="col">Reference</th><th scope="col">From → To</th><th scope="col" className="numeric">Amount</th>
            <th scope="col">Submitted</th><th scope="col">Status</th>
            {canApprove ? <th scope="col">Decision</th> : null}
          </tr>
        </thead>
        <tbody>
          {payments.map((payment) => (
            <tr key={payment.paymentId}>
              <td className="mono item-id">{payment.paymentId}</td>
              <td className="reference">{payment.reference === '' ? <span className="muted">(none)</span> : payment.reference}</td>
              <td className="nowrap">{payment.debtor} → {payment.creditor}</td>
              <td className="numeric">{formatMinorGrouped(payment.amountMinor, payment.currency)} {payment.currency}</td>
              <td>
                {payment.submittedBy}
                <span className="muted submitted-when" title={formatTimestamp(payment.submittedAtMs)}>{formatAge(payment.ageMs)} ago</span>
              </td>
              <td>{payment.status}{payment.decidedBy === null ? '' : ` by ${payment.decidedBy}`}</td>
              <DecisionCell canApprove={canApprove} pending={payment.status === 'pending'} submittedBy={payment.submittedBy}
                what={`payment ${payment.paymentId}`} onDecide={(verb) => onDecide(payment.paymentId, verb)} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
