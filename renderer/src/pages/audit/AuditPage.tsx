import { useState } from 'react';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { Field } from '../../components/Field';
import { formatTimestamp } from '../../lib/format';
import { useEngineQuery } from '../sign-in/use-engine-list';

interface AuditFilterDraft {
  actor: string;
  action: string;
  outcome: string;
  search: string;
}

function filterRequest(draft: AuditFilterDraft) {
  const request: Partial<AuditFilterDraft> = {};
  for (const key of Object.keys(draft) as (keyof AuditFilterDraft)[]) if (draft[key].trim() !== '') request[key] = draft[key].trim();
  return request;
}

/** An action as the list names it: "approval-threshold-set" reads "Approval threshold set (approval-threshold-set)". */
export function actionLabel(action: string): string {
  const words = action.replace(/-/g, ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)} (${action})`;
}

/** Saves text as a file through the browser; nothing else on the page writes files. */
function download(fileName: string, text: string) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(link.href);
}

/** The audit trail, newest first, filtered by who, what and outcome; exported as CSV with formula cells neutralised by core. */
export function AuditPage() {
  const [draft, setDraft] = useState<AuditFilterDraft>({ actor: '', action: '', outcome: '', search: '' });
  const { value, failure } = useEngineQuery('audit-list', { ...filterRequest(draft), limit: 200 });
  const { value: actions } = useEngineQuery('audit-actions', {});
  const [exportFailure, setExportFailure] = useState<Failure | null>(null);
  const update = (key: keyof AuditFilterDraft) => (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value });
  async function exportCsv() {
    const result = await api.invoke('audit-export', filterRequest(draft));
    setExportFailure(result.ok ? null : result);
    if (result.ok) download(result.value.fileName, result.value.csv);
  }
  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Audit</h1>
        <button type="button" onClick={() => void exportCsv()}>Export CSV</button>
      </div>
      <div className="filters">
        <Field label="Operator">{(control) => <input {...control} value={draft.actor} onChange={update('actor')} />}</Field>
        <Field label="Action">
          {(control) => (
            <select {...control} value={draft.action} onChange={update('action')}>
              <option value="">All actions</option>
              {(actions ?? []).map((action) => <option key={action} value={action}>{actionLabel(action)}</option>)}
            </select>
          )}
        </Field>
        <Field label="Outcome">{(control) => <input {...control} value={draft.outcome} placeholder="refused" onChange={update('outcome')} />}</Field>
        <Field label="Search">
          {(control) => (
            <input {...control} value={draft.search} placeholder="e.g. threshold set" onChange={update('search')} />
          )}
        </Field>
      </div>
      {failure === null ? null : <FailureMessage failure={failure} />}
      {exportFailure === null ? null : <FailureMessage failure={exportFailure} prefix="Not exported:" />}
      <div className="table-frame">
        <table className="data-table" aria-label="Audit entries">
          <thead>
            <tr><th>#</th><th>Time</th><th>Operator</th><th>Action</th><th>Target</th><th>Outcome</th><th>Detail</th><th>Hash</th></tr>
          </thead>
          <tbody>
            {(value?.items ?? []).map((entry) => (
              <tr key={entry.seq}>
                <td>{entry.seq}</td>
                <td className="nowrap">{formatTimestamp(entry.atMs)}</td>
                <td>{entry.actor}</td>
                <td className="mono">{entry.action}</td>
                <td className="mono">{entry.target}</td>
                <td>{entry.outcome}</td>
                <td>{entry.detail}</td>
                <td className="mono" title={entry.hash}>{entry.hash.slice(0, 12)}…</td>
              </tr>
            ))}
          </tbody>
        </table>
        {value !== null && value.items.length === 0 ? <p className="empty">No entries match.</p> : null}
      </div>
    </>
  );
}
