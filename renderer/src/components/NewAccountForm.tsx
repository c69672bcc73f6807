import { useState, type FormEvent } from 'react';
import { currencyCodes } from '../../../shared/currencies';
import type { AccountKind } from '../../../shared/domain';
import { formatMinor } from '../../../shared/money';
import type { Failure } from '../../../shared/result';
import { checkNewAccountDraft, emptyNewAccountDraft, type NewAccountDraft, type NewAccountField } from '../lib/new-account-validation';
import { usePayDeskStore } from '../store';
import { FailureMessage } from './FailureMessage';
import { Field } from './Field';

const operatorKinds: AccountKind[] = ['customer', 'internal'];

interface NewAccountFormState {
  draft: NewAccountDraft;
  sending: boolean;
  refusal: Failure | null;
  createdCode: string | null;
  update(field: NewAccountField, value: string): void;
  errorFor(field: NewAccountField): string | undefined;
  submit(event: FormEvent): Promise<void>;
}

/** The form's draft and its conversation with the engine; after a success the form empties for the next account. */
function useNewAccountForm(): NewAccountFormState {
  const createAccount = usePayDeskStore((state) => state.createAccount);
  const [draft, setDraft] = useState<NewAccountDraft>(emptyNewAccountDraft);
  const [touched, setTouched] = useState<Set<NewAccountField>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const [createdCode, setCreatedCode] = useState<string | null>(null);
  const check = checkNewAccountDraft(draft);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (check.request === null || sending) return;
    setSending(true);
    const result = await createAccount(check.request);
    setSending(false);
    setRefusal(result.ok ? null : result);
    if (!result.ok) return;
    setCreatedCode(result.value.code);
    setDraft({ ...emptyNewAccountDraft, currency: draft.currency, kind: draft.kind });
    setTouched(new Set());
    setAttempted(false);
  }

  return {
    draft,
    sending,
    refusal,
    createdCode,
    update(field, value) {
      setDraft((current) => ({ ...current, [field]: value }));
      setTouched((current) => new Set(current).add(field));
      setCreatedCode(null);
    },
    // Errors show while typing, but an untouched empty field only complains after a submit.
    errorFor: (field) => (attempted || touched.has(field) ? check.errors[field] : undefined),
    submit,
  };
}

export function NewAccountForm({ onClose }: { onClose: () => void }) {
  const { draft, sending, refusal, createdCode, update, errorFor, submit } = useNewAccountForm();
  const zeroPlaceholder = formatMinor(0, draft.currency);
  const bind = (field: NewAccountField) => ({
    value: draft[field],
    onChange: (event: { target: { value: string } }) => update(field, event.target.value),
  });

  return (
    <form className="panel form-grid" onSubmit={(event) => void submit(event)} aria-label="New account" noValidate>
      <h2>New account</h2>
      <Field label="Code" error={errorFor('code')}>
        {(control) => <input {...control} {...bind('code')} autoComplete="off" placeholder="e.g. CUST-0001" />}
      </Field>
      <Field label="Name" error={errorFor('name')}>
        {(control) => <input {...control} {...bind('name')} autoComplete="off" />}
      </Field>
      <Field label="Currency" error={errorFor('currency')}>
        {(control) => (
          <select {...control} {...bind('currency')}>
            {currencyCodes.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Kind">
        {(control) => (
          <select {...control} {...bind('kind')}>
            {operatorKinds.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Opening balance" error={errorFor('openingBalance')}>
        {(control) => <input {...control} {...bind('openingBalance')} inputMode="decimal" autoComplete="off" placeholder={zeroPlaceholder} />}
      </Field>
      <Field label="Overdraft limit" error={errorFor('overdraftLimit')}>
        {(control) => <input {...control} {...bind('overdraftLimit')} inputMode="decimal" autoComplete="off" placeholder={zeroPlaceholder} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={sending}>
          {sending ? 'Creating…' : 'Create account'}
        </button>
        <button type="button" onClick={onClose}>
          Done
        </button>
        {createdCode === null ? null : <span className="success" role="status">Account {createdCode} created.</span>}
      </div>
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="The engine refused the account:" />}
    </form>
  );
}
