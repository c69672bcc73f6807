import { useState } from 'react';
import {
  batchDelimiters, batchFieldLabels, batchFields, mappingProblems, validationReportCsv, type BatchDelimiter, type BatchField,
} from '../../../../shared/batch';
import { FileDropZone } from '../../components/FileDropZone';
import { formatTimestamp } from '../../lib/format';
import { useBatchesStore } from './use-batches-store';
import { downloadText } from './upload-chunks';
import { formatCount } from '../../../../shared/metrics-format';

const delimiterNames: Record<BatchDelimiter, string> = { ',': 'Comma (,)', ';': 'Semicolon (;)', '\t': 'Tab' };

export function BatchDropZone() {
  const chooseFile = useBatchesStore((state) => state.chooseFile);
  const uploading = useBatchesStore((state) => state.uploading);
  return (
    <FileDropZone
      prompt="Drop a CSV batch file here, or"
      buttonText="Choose a file…"
      accept=".csv,.tsv,.txt,text/csv"
      inputLabel="Batch file to import"
      testId="batch-drop-zone"
      regionLabel="Batch file"
      className="panel drop-zone"
      overClassName="drop-zone-over"
      buttonClassName="file-button"
      onFile={(file) => void chooseFile(file)}
    >
      {uploading === null ? null : (
        <p role="status">
          Uploading {uploading.fileName}: {Math.min(100, Math.round((uploading.bytesSent * 100) / Math.max(1, uploading.bytesTotal)))}%
        </p>
      )}
    </FileDropZone>
  );
}

export function DuplicateFileWarning() {
  const preview = useBatchesStore((state) => state.preview)!;
  const acknowledge = useBatchesStore((state) => state.acknowledgeDuplicate);
  const reset = useBatchesStore((state) => state.reset);
  const earlier = preview.sameFileBatches[0];
  return (
    <section className="panel warning" role="alert" aria-label="Same file imported before">
      <p>
        <strong>This file was imported before</strong> (batch <span className="mono">{earlier.batchId}</span>, {earlier.status},{' '}
        {formatTimestamp(earlier.createdAtMs)}). Payment ids already in the ledger are never paid twice.
      </p>
      <div className="form-actions">
        <button type="button" onClick={acknowledge}>Import it again</button>
        <button type="button" onClick={reset}>Abandon</button>
      </div>
    </section>
  );
}

export function BatchPreviewTable() {
  const preview = useBatchesStore((state) => state.preview)!;
  const setDelimiter = useBatchesStore((state) => state.setDelimiter);
  return (
    <section className="panel" aria-labelledby="preview-title">
      <div className="panel-heading">
        <h2 id="preview-title">Preview of {preview.fileName}</h2>
        <label className="field inline-field">
          Delimiter
          <select value={preview.delimiter} onChange={(event) => void setDelimiter(event.target.value as BatchDelimiter)}>
            {batchDelimiters.map((delimiter) => (
              <option key={delimiter} value={delimiter}>
                {delimiterNames[delimiter]}
                {delimiter === preview.detectedDelimiter ? ' (detected)' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="table-frame">
        <table className="data-table" data-testid="batch-preview">
          <thead>
            <tr>
              <th scope="col">Line</th>
              {preview.headers.map((header, index) => <th scope="col" key={index}>{header}</th>)}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => (
              <tr key={row.line}>
                <td>{row.line}</td>
                {preview.headers.map((_, index) => <td key={index}>{row.fields[index] ?? ''}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function BatchMapping() {
  const preview = useBatchesStore((state) => state.preview)!;
  const mapping = useBatchesStore((state) => state.mapping);
  const setMapping = useBatchesStore((state) => state.setMapping);
  const validating = useBatchesStore((state) => state.validating);
  const validate = useBatchesStore((state) => state.validate);
  const problems = mappingProblems(preview.headers, mapping);
  return (
    <section className="panel" aria-labelledby="mapping-title">
      <div className="panel-heading">
        <h2 id="mapping-title">Columns</h2>
        <PresetControls />
      </div>
      <div className="form-grid">
        {batchFields.map((field: BatchField) => (
          <label className="field" key={field}>
            {batchFieldLabels[field]}
            <select value={mapping[field] ?? ''} onChange={(event) => setMapping({ [field]: event.target.value })}>
              <option value="">(not mapped)</option>
              {preview.headers.map((header) => <option key={header} value={header}>{header}</option>)}
            </select>
          </label>
        ))}
      </div>
      {problems.map((problem) => <p className="field-error" key={problem}>{problem}</p>)}
      <div className="form-actions">
        <button type="button" className="primary" disabled={problems.length > 0 || validating} onClick={() => void validate()}>
          {validating ? 'Checking every row…' : 'Check every row'}
        </button>
      </div>
    </section>
  );
}

function PresetControls() {
  const presets = useBatchesStore((state) => state.presets);
  const applyPreset = useBatchesStore((state) => state.applyPreset);
  const savePreset = useBatchesStore((state) => state.savePreset);
  const [name, setName] = useState('');
  return (
    <div className="toolbar">
      <label className="field inline-field">
        Preset
        <select value="" onChange={(event) => applyPreset(event.target.value)}>
          <option value="">(choose a preset)</option>
          {presets.map((preset) => <option key={preset.name} value={preset.name}>{preset.name}</option>)}
        </select>
      </label>
      <label className="field inline-field">
        Save mapping as
        <input value={name} maxLength={60} onChange={(event) => setName(event.target.value)} />
      </label>
      <button type="button" disabled={name.trim() === ''} onClick={() => void savePreset(name.trim()).then(() => setName(''))}>
        Save preset
      </button>
    </div>
  );
}

export function ValidationReport() {
  const validation = useBatchesStore((state) => state.validation);
  const processBatch = useBatchesStore((state) => state.process);
  const abandon = useBatchesStore((state) => state.abandon);
  if (validation === null) return null;
  const { batch, errors, errorTotal } = validation;
  return (
    <section className="panel" aria-labelledby="validation-title">
      <div className="panel-heading">
        <h2 id="validation-title">Validation</h2>
        <span data-testid="validation-counts">
          {formatCount(batch.rows)} rows: {formatCount(batch.valid)} valid, {formatCount(batch.invalid)} with errors ({formatCount(errorTotal)} errors)
        </span>
        {errorTotal > 0 ? (
          <button type="button" onClick={() => downloadText(`${batch.fileName}-errors.csv`, validationReportCsv(errors))}>
            Save report as CSV
          </button>
        ) : null}
      </div>
      {errors.length > 0 ? <ErrorTable errors={errors} /> : <p className="success">Every row is valid.</p>}
      {errorTotal > errors.length ? <p className="muted">The first {formatCount(errors.length)} of {formatCount(errorTotal)} errors are listed.</p> : null}
      <div className="form-actions">
        <button type="button" className="primary" disabled={batch.valid === 0} onClick={() => void processBatch()}>
          Process {formatCount(batch.valid)} valid rows
        </button>
        <button type="button" onClick={() => void abandon()}>Abandon</button>
      </div>
    </section>
  );
}

function ErrorTable({ errors }: { errors: { line: number; field: string; value: string; code: string; message: string }[] }) {
  return (
    <div className="table-frame batch-errors">
      <table className="data-table" data-testid="validation-errors">
        <thead>
          <tr><th scope="col">Line</th><th scope="col">Field</th><th scope="col">Value</th><th scope="col">Code</th><th scope="col">Reason</th></tr>
        </thead>
        <tbody>
          {errors.map((error, index) => (
            <tr key={index}>
              <td>{error.line}</td><td>{error.field}</td><td className="mono">{error.value}</td>
              <td><span className="code">{error.code}</span></td><td>{error.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
