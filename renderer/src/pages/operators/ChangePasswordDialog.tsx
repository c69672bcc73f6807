import { useRef, useState, type FormEvent } from 'react';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { Field } from '../../components/Field';
import { passwordError } from './OperatorsPage';

/**
 * "Change password" in the header: any signed-in operator changes their own
 * password, proving it with the current one. A modal dialog, so focus stays
 * in it and Escape closes it.
 */
export function ChangePasswordButton() {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="sign-out" onClick={() => {
        setOpen(true);
        dialog.current?.showModal();
      }}>
        Change password
      </button>
      <dialog ref={dialog} className="panel dialog" aria-labelledby="change-password-title" onClose={() => setOpen(false)}>
        {open ? <ChangePasswordForm onClose={() => dialog.current?.close()} /> : null}
      </dialog>
    </>
  );
}

function ChangePasswordForm({ onClose }: { onClose: () => void }) {
  const [draft, setDraft] = useState({ currentPassword: '', newPassword: '', repeated: '' });
  const [attempted, setAttempted] = useState(false);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const [changed, setChanged] = useState(false);
  const errors = {
    currentPassword: attempted && draft.currentPassword === '' ? 'The current password is required.' : undefined,
    newPassword: passwordError(draft.newPassword, attempted),
    repeated: draft.repeated !== '' && draft.repeated !== draft.newPassword ? 'The two new passwords differ.'
      : attempted && draft.repeated === '' ? 'Repeat the new password.' : undefined,
  };
  const update = (key: keyof typeof draft) => (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value });
  async function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    const complete = draft.currentPassword !== '' && passwordError(draft.newPassword, true) === undefined && draft.repeated === draft.newPassword;
    if (!complete) return;
    const result = await api.invoke('session-password-change', { currentPassword: draft.currentPassword, newPassword: draft.newPassword });
    setRefusal(result.ok ? null : result);
    setChanged(result.ok);
  }
  if (changed) {
    return (
      <>
        <h2 id="change-password-title">Change password</h2>
        <p className="success" role="status">Your password was changed. Use the new one from your next sign-in.</p>
        <div className="form-actions"><button type="button" className="primary" autoFocus onClick={onClose}>Close</button></div>
      </>
    );
  }
  return (
    <form className="sign-in-form" onSubmit={submit} noValidate aria-labelledby="change-password-title">
      <h2 id="change-password-title">Change password</h2>
      <Field label="Current password" error={errors.currentPassword}>
        {(control) => (
          <input {...control} type="password" autoComplete="current-password" autoFocus value={draft.currentPassword} onChange={update('currentPassword')} />
        )}
      </Field>
      <Field label="New password" error={errors.newPassword}>
        {(control) => <input {...control} type="password" autoComplete="new-password" value={draft.newPassword} onChange={update('newPassword')} />}
      </Field>
      <Field label="Repeat the new password" error={errors.repeated}>
        {(control) => <input {...control} type="password" autoComplete="new-password" value={draft.repeated} onChange={update('repeated')} />}
      </Field>
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not changed:" />}
      <div className="form-actions">
        <button type="submit" className="primary">Change password</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
