import { useEffect, useRef, useState, type FormEvent } from 'react';
import { sharedLedgerConnectSchema, type PayDeskDeskApi, type SharedLedgerFormRequest } from '../../../shared/desk';
import type { Failure } from '../../../shared/result';
import { FailureMessage } from './FailureMessage';
import { Field } from './Field';

/**
 * File > Open Shared Ledger… in the desktop app: the shell asks for this form
 * (from the menu, or at start when the last shared ledger needs its password)
 * and opens the ledger the operator names. A modal dialog, so focus stays in
 * it and Escape closes it; the ledger open before stays open until a new one
 * has opened.
 */
export function SharedLedgerDialog({ desk }: { desk: PayDeskDeskApi }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [form, setForm] = useState<SharedLedgerFormRequest | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(
    () =>
      desk.onDidRequestSharedLedgerForm((request) => {
        setForm(request);
        setGeneration((count) => count + 1);
        if (dialog.current?.open !== true) dialog.current?.showModal();
      }),
    [desk],
  );
  return (
    <dialog ref={dialog} className="panel dialog shared-ledger-dialog" aria-labelledby="shared-ledger-title" onClose={() => setForm(null)}>
      {form === null ? null : <SharedLedgerForm key={generation} desk={desk} form={form} onClose={() => dialog.current?.close()} />}
    </dialog>
  );
}

type Draft = { host: string; port: string; database: string; user: string; password: string; rememberPassword: boolean };
type FieldName = Exclude<keyof Draft, 'rememberPassword'>;

/** The first message per field, from the same schema the shell checks again. */
function fieldErrors(draft: Draft): Partial<Record<FieldName, string>> {
  const parsed = sharedLedgerConnectSchema.safeParse(draft);
  const errors: Partial<Record<FieldName, string>> = {};
  if (parsed.success) return errors;
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0]) as FieldName;
    errors[field] ??= issue.message;
  }
  if (draft.password === '') errors.password = 'The password is required.';
  return errors;
}

function SharedLedgerForm({ desk, form, onClose }: { desk: PayDeskDeskApi; form: SharedLedgerFormRequest; onClose: () => void }) {
  const [draft, setDraft] = useState<Draft>({
    host: form.host, port: String(form.port), database: form.database, user: form.user, password: '', rememberPassword: form.rememberPassword,
  });
  const [touched, setTouched] = useState<Partial<Record<FieldName, true>>>({});
  const [attempted, setAttempted] = useState(false);
  const [connecting, setConnecting] = useState(false);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const errors = fieldErrors(draft);
  const shown = (field: FieldName) => (attempted || touched[field] === true ? errors[field] : undefined);
  const update = (field: FieldName) => (event: { target: { value: string } }) => setDraft({ ...draft, [field]: event.target.value });
  const blur = (field: FieldName) => () => setTouched({ ...touched, [field]: true });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(errors).length > 0 || connecting) return;
    setConnecting(true);
    setRefusal(null);
    const result = await desk.connectSharedLedger(draft);
    setConnecting(false);
    if (!result.ok) return setRefusal(result);
    if (result.value.notice === null) return onClose();
    setNotice(`The shared ledger at ${result.value.location} is open. ${result.value.notice}`);
  }

  if (notice !== null) {
    return (
      <>
        <h2 id="shared-ledger-title">Open a shared ledger</h2>
        <p className="success" role="status">{notice}</p>
        <div className="form-actions"><button type="button" className="primary" autoFocus onClick={onClose}>Close</button></div>
      </>
    );
  }
  return (
    <form className="sign-in-form" onSubmit={submit} noValidate aria-labelledby="shared-ledger-title" aria-busy={connecting}>
      <h2 id="shared-ledger-title">Open a shared ledger</h2>
      {form.reason === null ? (
        <p className="muted">A ledger on PostgreSQL that several desks use at once. Ask your administrator for these details.</p>
      ) : (
        <p className="notice">{form.reason}</p>
      )}
      <ConnectionFields draft={draft} shown={shown} update={update} blur={blur} />
      <RememberPassword form={form} checked={draft.rememberPassword} onChange={(rememberPassword) => setDraft({ ...draft, rememberPassword })} />
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not opened:" />}
      {connecting ? <p className="muted" role="status">Connecting to {draft.host}…</p> : null}
      <div className="form-actions">
        <button type="submit" className="primary" aria-disabled={connecting}>{connecting ? 'Opening…' : 'Open'}</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}

interface ConnectionFieldsProps {
  draft: Draft;
  shown: (field: FieldName) => string | undefined;
  update: (field: FieldName) => (event: { target: { value: string } }) => void;
  blur: (field: FieldName) => () => void;
}

/** Server, port, database, user and password; the cursor starts in the first one still empty (the password when all else is kept). */
function ConnectionFields({ draft, shown, update, blur }: ConnectionFieldsProps) {
  const firstEmpty = (['host', 'database', 'user', 'password'] as const).find((field) => draft[field] === '') ?? 'password';
  return (
    <>
        <div className="shared-ledger-server">
          <Field label="Server" error={shown('host')}>
            {(control) => (
              <input {...control} autoFocus={firstEmpty === 'host'} autoComplete="off" spellCheck={false} placeholder="db.example"
                value={draft.host} onChange={update('host')} onBlur={blur('host')} />
            )}
          </Field>
          <Field label="Port" error={shown('port')} className="shared-ledger-port">
            {(control) => <input {...control} inputMode="numeric" autoComplete="off" value={draft.port} onChange={update('port')} onBlur={blur('port')} />}
          </Field>
        </div>
        <Field label="Database" error={shown('database')}>
          {(control) => (
            <input {...control} autoFocus={firstEmpty === 'database'} autoComplete="off" spellCheck={false}
              value={draft.database} onChange={update('database')} onBlur={blur('database')} />
          )}
        </Field>
        <Field label="User" error={shown('user')}>
          {(control) => (
            <input {...control} autoFocus={firstEmpty === 'user'} autoComplete="off" spellCheck={false}
              value={draft.user} onChange={update('user')} onBlur={blur('user')} />
          )}
        </Field>
        <Field label="Password" error={shown('password')}>
          {(control) => (
            <input {...control} type="password" autoFocus={firstEmpty === 'password'} autoComplete="off"
              value={draft.password} onChange={update('password')} onBlur={blur('password')} />
          )}
        </Field>
    </>
  );
}

function RememberPassword({ form, checked, onChange }: { form: SharedLedgerFormRequest; checked: boolean; onChange: (checked: boolean) => void }) {
  if (!form.canRememberPassword) {
    return <p className="muted">This computer cannot encrypt saved passwords, so PayDesk will ask for this one each time.</p>;
  }
  return (
    <label className="checkbox-field">
      <input type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />
      Remember the password on this computer (kept encrypted for your user account)
    </label>
  );
}
