import { useEffect, useState } from 'react';
import type { BatchApprovalDetail, PendingBatch } from '../../../../shared/batch';
import { formatCount } from '../../../../shared/metrics-format';
import { formatMinorGrouped } from '../../../../shared/money';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { formatTimestamp } from '../../lib/format';
import { useCan } from '../sign-in/session-store';
import { useEngineQuery } from '../sign-in/use-engine-list';
import { DecisionCell, formatAge } from './PendingPage';

function money(amountMinor: number, currency: string): string {
  return `${formatMinorGrouped(amountMinor, currency)} ${currency}`;
}

/** Batches above an approval threshold: they run once a different approver approves them; their totals are reserved meanwhile. */
export function PendingBatches({ status }: { status: PendingBatch['status'] }) {
  const { value, failure, reload } = useEngineQuery('batch-approval-list', { status });
  const [decisionFailure, setDecisionFailure] = useState<Failure | null>(null);
  const [decided, setDecided] = useState<string | null>(null);
  const [openBatchId, setOpenBatchId] = useState<string | null>(null);
  async function decide(batch: PendingBatch, verb: 'approve' | 'reject') {
    const result = await api.invoke(verb === 'approve' ? 'batch-approval-approve' : 'batch-approval-reject', { batchId: batch.batchId });
    setDecisionFailure(result.ok ? null : result);
    const running = result.ok && result.value.status === 'approved' ? ': it is running.' : '.';
    setDecided(result.ok ? `Batch ${batch.fileName} ${result.value.status}${running}` : null);
    await reload();
  }
  const open = (value ?? []).find((batch) => batch.batchId === openBatchId) ?? null;
  return (
    <section aria-labelledby="pending-batches-title">
      <h2 id="pending-batches-title">Batches</h2>
      {decided === null ? null : <p className="success" role="status">{decided}</p>}
      {decisionFailure === null ? null : <FailureMessage failure={decisionFailure} prefix="Not decided:" />}
      {failure === null ? null : <FailureMessage failure={failure} />}
      <PendingBatchTable batches={value ?? []} openBatchId={openBatchId} onOpen={setOpenBatchId} onDecide={decide} />
      {open === null ? null : <BatchDetail key={open.batchId} batch={open} onClose={() => setOpenBatchId(null)} />}
    </section>
  );
}

interface TableProps {
  batches: PendingBatch[];
  openBatchId: string | null;
  onOpen: (batchId: string | null) => void;
  onDecide: (batch: PendingBatch, verb: 'approve' | 'reject') => void;
}

function PendingBatchTable({ batches, openBatchId, onOpen, onDecide }: TableProps) {
  const canApprove = useCan('approver');
  if (batches.length === 0) return <p className="empty">No batches here.</p>;
  return (
    <div className="table-frame">
      <table className="data-table" aria-label="Batches waiting for approval">
        <thead>
          <tr>
            <th scope="col">File</th><th scope="col" className="numeric">Rows to pay</th><th scope="col" className="numeric">Totals</th>
            <th scope="col">Submitted</th><th scope="col">Status</th><th scope="col">Rows and totals</th>
            {canApprove ? <th scope="col">Decision</th> : null}
          </tr>
        </thead>
        <tbody>
          {batches.map((batch) => (
            <tr key={batch.batchId} className={batch.batchId === openBatchId ? 'selected' : undefined}>
              <td className="item-id">{batch.fileName}</td>
              <td className="numeric">{formatCount(batch.valid)} of {formatCount(batch.rows)}</td>
              <td className="numeric">{batch.totals.map((total) => <div key={total.currency}>{money(total.amountMinor, total.currency)}</div>)}</td>
              <td>
                {batch.submittedBy}
                <span className="muted submitted-when" title={formatTimestamp(batch.submittedAtMs)}>{formatAge(batch.ageMs)} ago</span>
              </td>
              <td>{batch.status}{batch.decidedBy === null ? '' : ` by ${batch.decidedBy}`}</td>
              <td>
                <button type="button" className="link-button" aria-expanded={batch.batchId === openBatchId}
                  aria-label={`Rows and totals of batch ${batch.fileName}`}
                  onClick={() => onOpen(batch.batchId === openBatchId ? null : batch.batchId)}>
                  {batch.batchId === openBatchId ? 'Hide' : 'Show'}
                </button>
              </td>
              <DecisionCell canApprove={canApprove} pending={batch.status === 'pending'} submittedBy={batch.submittedBy}
                what={`batch ${batch.fileName}`} onDecide={(verb) => onDecide(batch, verb)} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface DetailProps {
  batch: PendingBatch;
  onClose: () => void;
}

/**
 * The detail is read from the batch file on demand, once per page asked for: unlike the lists it is not
 * re-read on every ledger change, which a running batch elsewhere sends several times a second.
 */
function useBatchDetail(batchId: string, afterLine: number) {
  const [detail, setDetail] = useState<BatchApprovalDetail | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  useEffect(() => {
    let current = true;
    setDetail(null);
    void api.invoke('batch-approval-detail', { batchId, afterLine }).then((result) => {
      if (!current) return;
      setFailure(result.ok ? null : result);
      setDetail(result.ok ? result.value : null);
    });
    return () => {
      current = false;
    };
  }, [batchId, afterLine]);
  return { detail, failure };
}

/** What an approver reads before deciding: totals per currency and per debtor, and the rows to be paid, a page at a time. */
function BatchDetail({ batch, onClose }: DetailProps) {
  const [afterLines, setAfterLines] = useState<number[]>([0]);
  const afterLine = afterLines[afterLines.length - 1];
  const { detail, failure } = useBatchDetail(batch.batchId, afterLine);
  return (
    <section className="panel batch-approval-detail" aria-labelledby="batch-detail-title" data-testid="batch-approval-detail">
      <div className="panel-heading">
        <h3 id="batch-detail-title">Batch {batch.fileName}: rows and totals</h3>
        <button type="button" onClick={onClose}>Close</button>
      </div>
      {failure === null ? null : <FailureMessage failure={failure} />}
      {detail === null ? (failure === null ? <p className="muted">Reading the batch file…</p> : null) : (
        <>
          <div className="detail-totals">
            <CurrencyTotals detail={detail} />
            <DebtorTotals detail={detail} />
          </div>
          <DetailRows detail={detail} />
          <div className="pager">
            <button type="button" disabled={afterLines.length === 1} onClick={() => setAfterLines(afterLines.slice(0, -1))}>Previous rows</button>
            <button type="button" disabled={detail.nextAfterLine === null}
              onClick={() => detail.nextAfterLine !== null && setAfterLines([...afterLines, detail.nextAfterLine])}>
              Next rows
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function CurrencyTotals({ detail }: { detail: BatchApprovalDetail }) {
  return (
    <div className="table-frame">
      <table className="data-table" aria-label="Totals per currency">
        <thead><tr><th scope="col">Currency</th><th scope="col" className="numeric">Rows</th><th scope="col" className="numeric">Sum</th></tr></thead>
        <tbody>
          {detail.byCurrency.map((total) => (
            <tr key={total.currency}>
              <td>{total.currency}</td><td className="numeric">{formatCount(total.count)}</td>
              <td className="numeric">{money(total.amountMinor, total.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DebtorTotals({ detail }: { detail: BatchApprovalDetail }) {
  return (
    <div className="table-frame">
      <table className="data-table" aria-label="Totals per debtor">
        <thead><tr><th scope="col">Debtor</th><th scope="col" className="numeric">Rows</th><th scope="col" className="numeric">Sum</th></tr></thead>
        <tbody>
          {detail.byDebtor.map((total) => (
            <tr key={total.debtor}>
              <td>{total.debtor}</td><td className="numeric">{formatCount(total.count)}</td>
              <td className="numeric">{money(total.amountMinor, total.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DetailRows({ detail }: { detail: BatchApprovalDetail }) {
  return (
    <div className="table-frame">
      <table className="data-table" aria-label="Rows to be paid">
        <thead>
          <tr>
            <th scope="col" className="numeric">Line</th><th scope="col">Payment id</th><th scope="col">From → To</th>
            <th scope="col" className="numeric">Amount</th><th scope="col">Reference</th>
          </tr>
        </thead>
        <tbody>
          {detail.rows.map((row) => (
            <tr key={row.line}>
              <td className="numeric">{row.line}</td><td className="mono item-id">{row.paymentId}</td>
              <td className="nowrap">{row.debtor} → {row.creditor}</td>
              <td className="numeric">{money(row.amountMinor, row.currency)}</td><td className="reference">{row.reference}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail.rows.length === 0 ? <p className="empty">No rows left to pay in this batch.</p> : null}
    </div>
  );
}
