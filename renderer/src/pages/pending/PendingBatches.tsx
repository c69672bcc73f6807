import { useState } from 'react';
import type { PendingBatch } from '../../../../shared/batch';
import { formatMinorGrouped } from '../../../../shared/money';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { formatTimestamp } from '../../lib/format';
import { useCan } from '../sign-in/session-store';
import { useEngineQuery } from '../sign-in/use-engine-list';
import { DecisionCell, formatAge } from './PendingPage';
import { formatCount } from '../../../../shared/metrics-format';

/** Batches above an approval threshold: they run once a different approver approves them; their totals are reserved meanwhile. */
export function PendingBatches({ status }: { status: PendingBatch['status'] }) {
  const { value, failure, reload } = useEngineQuery('batch-approval-list', { status });
  const [decisionFailure, setDecisionFailure] = useState<Failure | null>(null);
  const [decided, setDecided] = useState<string | null>(null);
  async function decide(batchId: string, verb: 'approve' | 'reject') {
    const result = await api.invoke(verb === 'approve' ? 'batch-approval-approve' : 'batch-approval-reject', { batchId });
    setDecisionFailure(result.ok ? null : result);
    setDecided(result.ok ? `Batch ${batchId} ${result.value.status}${result.value.status === 'approved' ? ': it is running.' : '.'}` : null);
    await reload();
  }
  return (
    <section aria-labelledby="pending-batches-title">
      <h2 id="pending-batches-title">Batches</h2>
      {decided === null ? null : <p className="success" role="status">{decided}</p>}
      {decisionFailure === null ? null : <FailureMessage failure={decisionFailure} prefix="Not decided:" />}
      {failure === null ? null : <FailureMessage failure={failure} />}
      <PendingBatchTable batches={value ?? []} onDecide={decide} />
    </section>
  );
}

function PendingBatchTable({ batches, onDecide }: { batches: PendingBatch[]; onDecide: (batchId: string, verb: 'approve' | 'reject') => void }) {
  const canApprove = useCan('approver');
  if (batches.length === 0) return <p className="empty">No batches here.</p>;
  return (
    <div className="table-frame">
      <table className="data-table" aria-label="Batches waiting for approval">
        <thead>
          <tr>
            <th>File</th><th>Rows</th><th>Total</th><th>Submitted by</th><th>Submitted</th><th>Age</th><th>Status</th>
            {canApprove ? <th>Decision</th> : null}
          </tr>
        </thead>
        <tbody>
          {batches.map((batch) => (
            <tr key={batch.batchId}>
              <td><span>{batch.fileName}</span> <span className="mono muted">{batch.batchId}</span></td>
              <td>{formatCount(batch.valid)} of {formatCount(batch.rows)} valid</td>
              <td className="nowrap">{batch.totals.map((total) => `${formatMinorGrouped(total.amountMinor, total.currency)} ${total.currency}`).join(', ')}</td>
              <td>{batch.submittedBy}</td>
              <td className="nowrap">{formatTimestamp(batch.submittedAtMs)}</td>
              <td className="nowrap">{formatAge(batch.ageMs)}</td>
              <td>{batch.status}{batch.decidedBy === null ? '' : ` by ${batch.decidedBy}`} (batch {batch.batchStatus})</td>
              <DecisionCell canApprove={canApprove} pending={batch.status === 'pending'} what={`batch ${batch.fileName}`}
                onDecide={(verb) => onDecide(batch.batchId, verb)} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
