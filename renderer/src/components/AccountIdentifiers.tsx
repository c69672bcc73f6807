import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Account, AccountIdentifier } from '../../../shared/domain';
import { parseIban } from '../../../shared/iban';
import type { Failure } from '../../../shared/result';
import { api } from '../api/client';
import { useCan } from '../pages/sign-in/session-store';
import { FailureMessage } from './FailureMessage';
import { Field } from './Field';

type IdentifierKind = AccountIdentifier['kind'];

/** An IBAN as printed on paper: groups of four, so an operator can compare it with a statement by eye. */
export function formatIdentifier(identifier: Pick<AccountIdentifier, 'kind' | 'value'>): string {
  return identifier.kind === 'iban' ? identifier.value.replace(/(.{4})(?=.)/g, '$1 ') : identifier.value;
}

/** What is wrong with the typed value before it goes to the engine, which checks it again. */
export function identifierDraftError(kind: IdentifierKind, value: string): string | undefined {
  if (value.trim() === '') return kind === 'iban' ? 'Enter the IBAN.' : 'Enter the account id.';
  if (kind !== 'iban') return undefined;
  const parsed = parseIban(value);
  return parsed.ok ? undefined : parsed.message;
}

/**
 * The identifiers a bank names this account by (its IBAN or another account
 * id). Reconciliation picks the ledger account from them, so an operator adds
 * one here when a statement names an account no ledger account carries, and
 * removes one added by mistake (or of a bank the account left).
 */
export function AccountIdentifiers({ account }: { account: Account }) {
  const canAdd = useCan('operator') && account.status !== 'closed';
  const canRemove = useCan('operator');
  const [identifiers, setIdentifiers] = useState<AccountIdentifier[]>([]);
  const [loadFailure, setLoadFailure] = useState<Failure | null>(null);
  // What the last addition or removal did: said once, where it was done (in the form, or under the list).
  const [notice, setNotice] = useState<Notice | null>(null);

  const load = useCallback(async () => {
    const result = await api.invoke('account-identifier-list', { account: account.code });
    setLoadFailure(result.ok ? null : result);
    if (result.ok) setIdentifiers(result.value);
  }, [account.code]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => setNotice(null), [account.code]);

  return (
    <div className="identifiers" role="region" aria-labelledby="identifiers-title">
      <h3 id="identifiers-title">Bank identifiers</h3>
      {loadFailure === null ? null : <FailureMessage failure={loadFailure} prefix="The identifiers could not be loaded:" />}
      {identifiers.length === 0 ? (
        <p className="muted" data-testid="no-identifiers">
          None yet. A bank statement names its account by IBAN or account id; add it here so reconciliation finds this account.
        </p>
      ) : (
        <ul className="identifier-list" aria-label={`Identifiers of ${account.code}`}>
          {identifiers.map((identifier) => (
            <li key={identifier.value}>
              <span className="muted">{kindLabel(identifier)}</span> <span className="mono">{formatIdentifier(identifier)}</span>{' '}
              {canRemove ? (
                <RemoveIdentifier identifier={identifier} onRemoved={async (text) => { setNotice({ text, from: 'remove' }); await load(); }} />
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {notice?.from === 'remove' ? <p className="success" role="status">{notice.text}</p> : null}
      {canAdd ? (
        <AddIdentifierForm
          accountCode={account.code}
          added={notice?.from === 'add' ? notice.text : null}
          onAdded={async (text) => { setNotice({ text, from: 'add' }); await load(); }}
          onEdit={() => setNotice(null)}
        />
      ) : null}
    </div>
  );
}

interface Notice {
  text: string;
  from: 'add' | 'remove';
}

function kindLabel(identifier: Pick<AccountIdentifier, 'kind'>): string {
  return identifier.kind === 'iban' ? 'IBAN' : 'Account id';
}

/** Remove, then a confirmation naming what goes: reconciliation stops finding the account by it. */
function RemoveIdentifier({ identifier, onRemoved }: { identifier: AccountIdentifier; onRemoved: (sentence: string) => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const named = `${kindLabel(identifier)} ${formatIdentifier(identifier)}`;
  // Keep puts the focus back on Remove, where the keyboard left it.
  const removeButton = useRef<HTMLButtonElement>(null);
  const [kept, setKept] = useState(false);

  useEffect(() => {
    if (kept && !confirming) removeButton.current?.focus();
  }, [kept, confirming]);

  async function remove() {
    setSending(true);
    const result = await api.invoke('account-identifier-remove', { account: identifier.account, kind: identifier.kind, value: identifier.value });
    setSending(false);
    setRefusal(result.ok ? null : result);
    if (!result.ok) return;
    setConfirming(false);
    await onRemoved(`${named} removed from ${identifier.account}.`);
  }

  if (!confirming) {
    return (
      <button ref={removeButton} type="button" className="link-button" aria-label={`Remove ${named}`}
        onClick={() => { setConfirming(true); setKept(false); setRefusal(null); }}>
        Remove
      </button>
    );
  }
  return (
    <>
      <span className="confirm" role="group" aria-label={`Remove ${named}?`}>
        Remove it? Statements that name it will no longer find {identifier.account}.
        <button type="button" className="danger" disabled={sending} autoFocus onClick={() => void remove()}>
          {sending ? 'Removing…' : 'Confirm remove'}
        </button>
        <button type="button" disabled={sending} onClick={() => { setConfirming(false); setKept(true); }}>
          Keep
        </button>
      </span>
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="The identifier was not removed:" />}
    </>
  );
}

interface AddIdentifierFormProps {
  accountCode: string;
  /** The sentence of the last addition, until the next edit or removal. */
  added: string | null;
  onAdded: (sentence: string) => Promise<void>;
  onEdit: () => void;
}

function AddIdentifierForm({ accountCode, added, onAdded, onEdit }: AddIdentifierFormProps) {
  const [kind, setKind] = useState<IdentifierKind>('iban');
  const [value, setValue] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const draftError = identifierDraftError(kind, value);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    onEdit();
    if (draftError !== undefined || sending) return;
    setSending(true);
    const result = await api.invoke('account-identifier-add', { account: accountCode, kind, value });
    setSending(false);
    setRefusal(result.ok ? null : result);
    if (!result.ok) return;
    setValue('');
    setAttempted(false);
    await onAdded(`${kindLabel(result.value)} ${formatIdentifier(result.value)} added.`);
  }

  return (
    <form className="identifier-form" onSubmit={(event) => void submit(event)} aria-label={`Add an identifier to ${accountCode}`} noValidate>
      <Field label="Kind" className="inline-field">
        {(control) => (
          <select {...control} value={kind} onChange={(event) => setKind(event.target.value as IdentifierKind)}>
            <option value="iban">IBAN</option>
            <option value="other">Other account id</option>
          </select>
        )}
      </Field>
      <Field label={kind === 'iban' ? 'IBAN' : 'Account id'} className="inline-field" error={attempted ? draftError : undefined}>
        {(control) => (
          <input {...control} value={value} autoComplete="off" spellCheck={false} placeholder={kind === 'iban' ? 'e.g. DE89 3704 0044 0532 0130 00' : ''}
            onChange={(event) => { setValue(event.target.value); setRefusal(null); onEdit(); }} />
        )}
      </Field>
      <button type="submit" disabled={sending}>
        {sending ? 'Adding…' : 'Add identifier'}
      </button>
      {added === null ? null : <span className="success" role="status">{added}</span>}
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="The identifier was not added:" />}
    </form>
  );
}
