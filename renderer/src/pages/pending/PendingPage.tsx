import { useState } from 'react';
import type { PendingPayment } from '../../../../shared/access';
import { formatMinorGrouped } from '../../../../shared/money';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { formatTimestamp } from '../../lib/format';
import { useCan } from '../sign-in/session-store';
import { useEngineQuery } from '../sign-in/use-engine-list';
import { PendingBatches } from './PendingBatches';
import { ThresholdPanel } from './ThresholdPanel';

/** How long a payment has waited, as a person says it. */
export function formatAge(ageMs: number): string {
  const minutes = Math.floor(ageMs / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} days`;
}

/** Payments and batches above the approval threshold, waiting for a second operator with the approver role. */
/**
 * The Approve / Reject buttons of one pending item, for approvers; an empty cell keeps the columns
 * aligned once the item is decided, and viewers without the role get no column at all.
 */
export function DecisionCell(props: { canApprove: boolean; pending: boolean; what: string; onDecide: (verb: 'approve' | 'reject') => void }) {
  if (!props.canApprove) return null;
  if (!props.pending) return <td />;
  return (
    <td className="nowrap">
      <button type="button" onClick={() => props.onDecide('approve')}>Approve {props.what}</button>{' '}
      <button type="button" onClick={() => props.onDecide('reject')}>Reject {props.what}</button>
    </td>
  );
}

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
      <h2>Payments</h2>
      <PendingTable payments={value ?? []} onDecide={decide} />
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
            <th>Payment id</th><th>From</th><th>To</th><th>Amount</th><th>Submitted by</th><th>Submitted</th><th>Age</th><th>Status</th>
            {canApprove ? <th>Decision</th> : null}
          </tr>
        </thead>
        <tbody>
          {payments.map((payment) => (
            <tr key={payment.paymentId}>
              <td className="mono">{payment.paymentId}</td>
              <td>{payment.debtor}</td>
              <td>{payment.creditor}</td>
              <td className="nowrap">{formatMinorGrouped(payment.amountMinor, payment.currency)} {payment.currency}</td>
              <td>{payment.submittedBy}</td>
              <td className="nowrap">{formatTimestamp(payment.submittedAtMs)}</td>
              <td className="nowrap">{formatAge(payment.ageMs)}</td>
              <td>{payment.status}{payment.decidedBy === null ? '' : ` by ${payment.decidedBy}`}</td>
              <DecisionCell canApprove={canApprove} pending={payment.status === 'pending'} what={payment.paymentId}
                onDecide={(verb) => onDecide(payment.paymentId, verb)} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
