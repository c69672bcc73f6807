import type { BatchResultRow } from '../../../../shared/batch';
import { isKnownCurrency } from '../../../../shared/currencies';
import { formatMinorGrouped } from '../../../../shared/money';
import { formatCount } from '../../../../shared/metrics-format';
import { formatPlt } from '../../lib/format';
import { useBatchesStore } from './use-batches-store';
import type { ResultsFilter } from './batches-store';
import { downloadText } from './upload-chunks';

function reasonsText(reasons: Partial<Record<string, number>>): string {
  const entries = Object.entries(reasons);
  return entries.length === 0 ? 'none' : entries.map(([code, count]) => `${code} ${formatCount(count ?? 0)}`).join(', ');
}

export function BatchProgress() {
  const batch = useBatchesStore((state) => state.batch)!;
  const progress = useBatchesStore((state) => state.progress);
  const control = useBatchesStore((state) => state.control);
  const rowsDone = progress?.rowsDone ?? batch.rowsDone;
  const percent = batch.rows === 0 ? 100 : Math.floor((rowsDone * 100) / batch.rows);
  const status = progress?.status ?? batch.status;
  return (
    <section className="panel" aria-labelledby="progress-title">
      <div className="panel-heading">
        <h2 id="progress-title">Batch {batch.fileName}</h2>
        <span className={`badge batch-status-${status}`} data-testid="batch-status">{status}</span>
      </div>
      <div className="progress-line">
        <progress max={batch.rows} value={rowsDone} aria-label="Batch progress" />
        <span data-testid="batch-percent">{percent}%</span>
      </div>
      <p data-testid="batch-progress-text">
        {formatCount(rowsDone)} of {formatCount(batch.rows)} rows · succeeded {formatCount(progress?.accepted ?? batch.accepted)} · failed{' '}
        {formatCount((progress?.rejected ?? batch.rejected) + (progress?.skipped ?? batch.skipped))}{' '}
        ({reasonsText(progress?.reasons ?? batch.reasons)}) · {formatCount(progress?.rowsPerSecond ?? null)} rows/s · ETA{' '}
        {progress?.etaSeconds === null || progress === null ? '-' : `${formatCount(progress.etaSeconds)} s`}
      </p>
      {(progress?.problem ?? batch.problem) ? (
        // A running batch's note is news, not a failure: a pause or cancel sent to the desk that runs it (shared ledgers).
        <p className={status === 'abandoned' || status === 'running' ? 'muted' : 'failure'} role={status === 'running' ? 'status' : undefined}>
          {progress?.problem ?? batch.problem}
        </p>
      ) : null}
      {status === 'awaiting-approval' ? (
        <p role="status">
          Above the approval threshold: the batch waits on the Pending page for another operator with the approver role; its totals are reserved.
        </p>
      ) : null}
      <div className="form-actions">
        {status === 'running' ? <button type="button" onClick={() => void control('batch-pause')}>Pause</button> : null}
        {status === 'paused' || status === 'interrupted' ? <button type="button" onClick={() => void control('batch-resume')}>Resume</button> : null}
        {status === 'running' || status === 'paused' || status === 'interrupted' ? (
          <button type="button" onClick={() => void control('batch-cancel')}>Cancel</button>
        ) : null}
      </div>
    </section>
  );
}

export function BatchSummaryPanel() {
  const batch = useBatchesStore((state) => state.batch)!;
  if (batch.status === 'running' || batch.rowsDone === 0) return null;
  const items: [string, string][] = [
    ['Rows', formatCount(batch.rows)],
    ['Succeeded', formatCount(batch.accepted)],
    ['Rejected', formatCount(batch.rejected)],
    ['Refused before payment', formatCount(batch.skipped)],
    ['PSR', batch.psr === null ? '-' : `${(batch.psr * 100).toFixed(2)}%`],
    ['PT', batch.rowsPerSecond === null ? '-' : `${formatCount(batch.rowsPerSecond)} rows/s`],
    ['PLT p50', formatPlt(batch.pltP50Us)],
    ['PLT p99', formatPlt(batch.pltP99Us)],
    ['Duration', `${(batch.runningMs / 1000).toFixed(1)} s`],
  ];
  return (
    <section className="panel" aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <dl className="batch-summary" data-testid="batch-summary">
        {items.map(([label, value]) => (
          <div key={label}><dt>{label}</dt><dd>{value}</dd></div>
        ))}
      </dl>
    </section>
  );
}

export function BatchResults() {
  const batch = useBatchesStore((state) => state.batch)!;
  const results = useBatchesStore((state) => state.results);
  const filter = useBatchesStore((state) => state.resultsFilter);
  const setFilter = useBatchesStore((state) => state.setResultsFilter);
  const exportResults = useBatchesStore((state) => state.exportResults);
  if (batch.status === 'running' || batch.rowsDone === 0) return null;
  return (
    <section className="panel" aria-labelledby="results-title">
      <div className="panel-heading">
        <h2 id="results-title">Results</h2>
        <label className="field inline-field">
          Show
          <select value={filter} onChange={(event) => void setFilter(event.target.value as ResultsFilter)}>
            <option value="all">All rows</option>
            <option value="accepted">Accepted</option>
            <option value="rejected">Rejected</option>
          </select>
        </label>
        <button type="button" onClick={() => void exportResults().then((text) => downloadText(`${batch.fileName}-results.csv`, text))}>
          Export results as CSV
        </button>
      </div>
      <ResultsTable />
      <ResultsPager />
    </section>
  );
}

/** A refused row's amount may be unreadable: it is shown as the file wrote it. */
function amountText(record: BatchResultRow): string {
  if (record.amountMinor !== null && isKnownCurrency(record.currency)) return `${formatMinorGrouped(record.amountMinor, record.currency)} ${record.currency}`;
  return [record.amountText, record.currency].filter((part) => part !== '').join(' ');
}

function outcomeLabel(record: BatchResultRow): string {
  if (record.refused) return 'refused before payment';
  return record.status;
}

function ResultsTable() {
  const results = useBatchesStore((state) => state.results);
  return (
    <div className="table-frame">
      <table className="data-table" data-testid="batch-results">
        <thead>
          <tr>
            <th scope="col">Line</th><th scope="col">Payment id</th><th scope="col">From</th><th scope="col">To</th>
            <th scope="col" className="numeric">Amount</th><th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {results.map((record) => (
            <tr key={record.line}>
              <td className="numeric">{record.line}</td><td className="mono">{record.paymentId || '(none)'}</td>
              <td>{record.debtor}</td><td>{record.creditor}</td>
              <td className="numeric nowrap">{amountText(record)}</td>
              <td>
                <span className={record.status === 'accepted' ? 'success' : 'badge badge-rejected'}>{outcomeLabel(record)}</span>{' '}
                <span className="code">{record.code}</span> {record.status === 'rejected' ? record.message : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {results.length === 0 ? <p className="empty">No rows match.</p> : null}
    </div>
  );
}

function ResultsPager() {
  const cursor = useBatchesStore((state) => state.resultsCursor);
  const next = useBatchesStore((state) => state.resultsNextCursor);
  const previous = useBatchesStore((state) => state.resultsPrevious);
  const load = useBatchesStore((state) => state.loadResults);
  return (
    <div className="pager">
      <button type="button" disabled={previous.length === 0} onClick={() => void load(previous[previous.length - 1], previous.slice(0, -1))}>
        Previous
      </button>
      <button type="button" disabled={next === null} onClick={() => void load(next, [...previous, cursor])}>
        Next
      </button>
    </div>
  );
}
