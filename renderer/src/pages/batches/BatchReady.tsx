import { useState, type FormEvent } from 'react';
import type { BatchSummary } from '../../../../shared/batch';
import { formatCount } from '../../../../shared/metrics-format';
import { formatMinorGrouped } from '../../../../shared/money';
import { formatTimestamp } from '../../lib/format';
import { useBatchesStore } from './use-batches-store';

/**
 * A validated batch that has not run: what it will pay (control totals per
 * currency, as bank batch screens show them before release), and the two
 * ways on: process it, or abandon it with a reason. Shown right after
 * validation and when a batch left validated is opened from Past batches.
 */
export function BatchReady() {
  const batch = useBatchesStore((state) => state.batch)!;
  const validation = useBatchesStore((state) => state.validation);
  const processBatch = useBatchesStore((state) => state.process);
  return (
    <section className="panel" aria-labelledby="ready-title" data-testid="batch-ready">
      <div className="panel-heading">
        <h2 id="ready-title">Ready to process: {batch.fileName}</h2>
        <span className="muted">validated {formatTimestamp(batch.createdAtMs)}</span>
      </div>
      {validation === null ? (
        <p>
          {formatCount(batch.rows)} rows: {formatCount(batch.valid)} valid, {formatCount(batch.invalid)} with errors.
          Rows with errors are not paid; they are listed in the results as refused.
        </p>
      ) : null}
      <ControlTotals batch={batch} />
      <div className="form-actions">
        <button type="button" className="primary" disabled={batch.valid === 0} onClick={() => void processBatch()}>
          Process {formatCount(batch.valid)} valid rows
        </button>
        <AbandonControl />
      </div>
    </section>
  );
}

function ControlTotals({ batch }: { batch: BatchSummary }) {
  if (batch.controlTotals.length === 0) return <p className="muted">No valid rows: nothing would be paid.</p>;
  return (
    <div className="table-frame control-totals">
      <table className="data-table" aria-label="Control totals per currency">
        <caption className="visually-hidden">What processing pays, per currency</caption>
        <thead>
          <tr><th scope="col">Currency</th><th scope="col" className="numeric">Valid rows</th><th scope="col" className="numeric">Sum</th></tr>
        </thead>
        <tbody>
          {batch.controlTotals.map((total) => (
            <tr key={total.currency}>
              <th scope="row">{total.currency}</th>
              <td className="numeric">{formatCount(total.count)}</td>
              <td className="numeric">
                {total.amountMinor >= Number.MAX_SAFE_INTEGER ? 'more than ' : ''}
                {formatMinorGrouped(total.amountMinor, total.currency)} {total.currency}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Abandoning asks why: the reason stays with the batch and in the audit trail. */
function AbandonControl() {
  const abandon = useBatchesStore((state) => state.abandon);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const tooShort = reason.trim().length < 3;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!tooShort) void abandon(reason.trim());
  }
  if (!asking) return <button type="button" onClick={() => setAsking(true)}>Abandon…</button>;
  return (
    <form className="abandon-form" aria-label="Abandon batch" onSubmit={submit}>
      <label className="field inline-field">
        Reason for abandoning
        <input value={reason} maxLength={200} autoFocus aria-invalid={reason !== '' && tooShort}
          onChange={(event) => setReason(event.target.value)} />
      </label>
      <button type="submit" className="danger" disabled={tooShort}>Abandon batch</button>
      <button type="button" onClick={() => setAsking(false)}>Keep it</button>
    </form>
  );
}
