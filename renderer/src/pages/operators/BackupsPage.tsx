import { useState, type FormEvent } from 'react';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { Field } from '../../components/Field';
import { formatTimestamp } from '../../lib/format';
import { useEngineQuery } from '../sign-in/use-engine-list';
import { RestoreConfirmation } from './RestoreConfirmation';
import { formatCount } from '../../../../shared/metrics-format';

/** Rotating backups of the ledger file: the folder, the copies kept, a backup now, and a restore. */
export function BackupsPage() {
  const { value, failure, reload } = useEngineQuery('backup-status', {});
  const [folder, setFolder] = useState('');
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<string | null>(null);
  async function backUpNow() {
    const result = await api.invoke('backup-create', {});
    setRefusal(result.ok ? null : result);
    setNotice(result.ok ? `Backup ${result.value.fileName} written.` : null);
    await reload();
  }
  async function changeFolder(event: FormEvent) {
    event.preventDefault();
    const result = await api.invoke('backup-folder-set', { folder });
    setRefusal(result.ok ? null : result);
    setNotice(result.ok ? `Backups now go to ${result.value.folder}.` : null);
    await reload();
  }
  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Backups</h1>
        <button type="button" onClick={() => void backUpNow()}>Back up now</button>
      </div>
      {value?.shared === true ? <SharedLedgerBackups keep={value.keep} /> : (
        <p className="muted">
          PayDesk copies the ledger file daily and when it closes, keeping the newest {value?.keep ?? '…'}. Restore one here, or with PayDesk closed
          run <span className="mono">paydesk restore --db LEDGER BACKUP</span>: the replaced file is moved aside, never deleted.
        </p>
      )}
      {notice === null ? null : <p className="success" role="status">{notice}</p>}
      {failure === null ? null : <FailureMessage failure={failure} />}
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not done:" />}
      {restoring === null ? null : <RestoreConfirmation fileName={restoring} onCancel={() => setRestoring(null)} />}
      <form className="toolbar" onSubmit={changeFolder}>
        <Field label="Backup folder">
          {(control) => <input {...control} value={folder} placeholder={value?.folder ?? ''} onChange={(event) => setFolder(event.target.value)} />}
        </Field>
        <button type="submit">Change folder</button>
      </form>
      <div className="table-frame">
        <table className="data-table" aria-label="Backups">
          <thead><tr><th>File</th><th>Made</th><th>Size</th>{value?.shared === true ? null : <th>Restore</th>}</tr></thead>
          <tbody>
            {(value?.backups ?? []).map((backup) => (
              <tr key={backup.fileName}>
                <td className="mono">{backup.fileName}</td>
                <td className="nowrap">{formatTimestamp(backup.createdAtMs)}</td>
                <td className="nowrap">{formatCount(Math.ceil(backup.sizeBytes / 1024))} KiB</td>
                {value?.shared === true ? null : (
                  <td>
                    <button type="button" aria-label={`Restore ${backup.fileName}`} onClick={() => setRestoring(backup.fileName)}>Restore…</button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** What backups are on a shared ledger, and how one is restored (never over the ledger the desks have open). */
function SharedLedgerBackups({ keep }: { keep: number }) {
  return (
    <p className="muted">
      This ledger is shared on PostgreSQL. A backup is the whole ledger as one file, made here on request or with{' '}
      <span className="mono">paydesk backup</span>, and checked after writing; the newest {keep} are kept. It is restored as a ledger file with{' '}
      <span className="mono">paydesk restore --db FILE BACKUP</span>, or into a new, empty database with{' '}
      <span className="mono">paydesk restore --db postgres://…/NEW-DATABASE BACKUP</span>: a shared ledger is never replaced while desks have it open.
    </p>
  );
}
