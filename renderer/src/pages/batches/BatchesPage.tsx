import { useEffect } from 'react';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { BatchHistory } from './BatchHistory';
import { BatchReady } from './BatchReady';
import { BatchDropZone, BatchMapping, BatchPreviewTable, DuplicateFileWarning, ValidationReport } from './BatchImport';
import { BatchProgress, BatchResults, BatchSummaryPanel } from './BatchRun';
import { connectBatches } from './batches-store';
import { useBatchesStore } from './use-batches-store';
import './batches.css';

/** Batches: drop a file, preview and map it, see every error, process the valid rows, follow progress, read results. */
export function BatchesPage() {
  useEffect(() => connectBatches(useBatchesStore, api), []);
  const failure = useBatchesStore((state) => state.failure);
  const preview = useBatchesStore((state) => state.preview);
  const duplicateAcknowledged = useBatchesStore((state) => state.duplicateAcknowledged);
  const batch = useBatchesStore((state) => state.batch);
  const showImport = preview !== null && (preview.sameFileBatches.length === 0 || duplicateAcknowledged);
  const processing = batch !== null && batch.status !== 'validated';
  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Batches</h1>
      </div>
      {failure === null ? null : <FailureMessage failure={failure} />}
      <BatchDropZone />
      {preview !== null && !showImport ? <DuplicateFileWarning /> : null}
      {showImport ? (
        <>
          <BatchPreviewTable />
          <BatchMapping />
          <ValidationReport />
        </>
      ) : null}
      {batch !== null && batch.status === 'validated' ? <BatchReady /> : null}
      {processing ? (
        <>
          <BatchProgress />
          <BatchSummaryPanel />
          <BatchResults />
        </>
      ) : null}
      <BatchHistory />
    </>
  );
}
