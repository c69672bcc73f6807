import { formatTimestamp } from '../../lib/format';
import { useBatchesStore } from './use-batches-store';
import { formatCount } from '../../../../shared/metrics-format';

export function BatchHistory() {
  const history = useBatchesStore((state) => state.history);
  const openBatch = useBatchesStore((state) => state.openBatch);
  const control = useBatchesStore((state) => state.control);
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">Past batches</h2>
      <div className="table-frame">
        <table className="data-table" data-testid="batch-history">
          <thead>
            <tr>
              <th scope="col">Created</th><th scope="col">File</th><th scope="col">Status</th><th scope="col" className="numeric">Rows</th>
              <th scope="col" className="numeric">Succeeded</th><th scope="col" className="numeric">Failed</th><th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {history.map((batch) => (
              <tr key={batch.batchId}>
                <td className="nowrap">{formatTimestamp(batch.createdAtMs)}</td>
                <td>{batch.fileName}</td>
                <td><span className={`badge batch-status-${batch.status}`}>{batch.status}</span></td>
                <td className="numeric">{formatCount(batch.rowsDone)} / {formatCount(batch.rows)}</td>
                <td className="numeric">{formatCount(batch.accepted)}</td>
                <td className="numeric">{formatCount(batch.rejected + batch.skipped)}</td>
                <td className="form-actions">
                  <button type="button" className="link-button" onClick={() => void openBatch(batch.batchId)}>Open</button>
                  {batch.status === 'interrupted' || batch.status === 'paused' ? (
                    <button type="button" className="link-button" onClick={() => void control('batch-resume', batch.batchId)}>Resume</button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {history.length === 0 ? <p className="empty">No batches yet.</p> : null}
      </div>
    </section>
  );
}
