import { useState } from 'react';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { useSessionStore } from '../sign-in/session-store';

/**
 * Asks before a backup replaces the open ledger, saying what happens; on
 * success every session has ended with the old engine, so the operator signs in again.
 */
export function RestoreConfirmation({ fileName, onCancel }: { fileName: string; onCancel: () => void }) {
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const signOut = useSessionStore((state) => state.signOut);
  async function restore() {
    setSending(true);
    const result = await api.invoke('backup-restore', { fileName });
    setSending(false);
    if (!result.ok) return setRefusal(result);
    const aside = result.value.movedAsideTo === null ? '' : ` The replaced file was kept in ${result.value.movedAsideTo}.`;
    await signOut(`Restored ${fileName}: ${result.value.accounts} accounts, ${result.value.payments} payments.${aside} Sign in again.`);
  }
  return (
    <section className="panel" role="alertdialog" aria-labelledby="restore-title">
      <h2 id="restore-title">Restore {fileName}?</h2>
      <p>
        PayDesk checks the backup, waits for requests in progress, closes the ledger, puts this backup in its place and opens it again.
        Everything recorded since the backup was made leaves the open ledger: the current file and its journal are kept aside in a folder
        named <span className="mono">FILE.before-restore-TIME</span> beside it, never deleted. Every operator is signed out.
      </p>
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not restored:" />}
      <div className="form-actions">
        <button type="button" disabled={sending} onClick={() => void restore()}>{sending ? 'Restoring…' : `Yes, restore ${fileName}`}</button>
        <button type="button" disabled={sending} onClick={onCancel}>Keep the current ledger</button>
      </div>
    </section>
  );
}
