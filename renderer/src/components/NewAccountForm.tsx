import { useId, useState, type FormEvent } from 'react';
import { currencyCodes } from '../../../shared/currencies';
import type { AccountKind } from '../../../shared/domain';
import type { Failure } from '../../../shared/result';
import { checkNewAccountDraft, emptyNewAccountDraft, type NewAccountDraft, type NewAccountField } from '../lib/new-account-validation';
import { usePayDeskStore } from '../store';
import { FailureMessage, FieldError } from './FailureMessage';

const operatorKinds: AccountKind[] = ['customer', 'internal'];

export function NewAccountForm({ onClose }: { onClose: () => void }) {
  const createAccount = usePayDeskStore((state) => state.createAccount);
  const [draft, setDraft] = useState<NewAccountDraft>(emptyNewAccountDraft);
  const [touched, setTouched] = useState<Set<NewAccountField>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const [createdCode, setCreatedCode] = useState<string | null>(null);
  const check = checkNewAccountDraft(draft);
  const formId = useId();

  const update = (field: NewAccountField, value: string) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setTouched((current) => new Set(current).add(field));
    setCreatedCode(null);
  };
  // Errors show while typing, but an untouched empty field only complains after a submit.
  const errorFor = (field: NewAccountField) => (attempted || touched.has(field) ? check.errors[field] : undefined);

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

  const fieldProps = (field: NewAccountField) => ({
    value: draft[field],
    onChange: (event: { target: { value: string } }) => update(field, event.target.value),
    'aria-invalid': errorFor(field) === undefined ? undefined : true,
    'aria-describedby': `${formId}-${field}-error`,
  });

  return (
    <form className="panel form-grid" onSubmit={(event) => void submit(event)} aria-label="New account" noValidate>
      <h2>New account</h2>
      <label>
        Code
        <input {...fieldProps('code')} autoComplete="off" placeholder="e.g. CUST-0001" />
        <FieldError id={`${formId}-code-error`} message={errorFor('code')} />
      </label>
      <label>
        Name
        <input {...fieldProps('name')} autoComplete="off" />
        <FieldError id={`${formId}-name-error`} message={errorFor('name')} />
      </label>
      <label>
        Currency
        <select {...fieldProps('currency')}>
          {currencyCodes.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
      </label>
      <label>
        Kind
        <select {...fieldProps('kind')}>
          {operatorKinds.map((kind) => (
            <option key={kind} value={kind}>
              {kind}
            </option>
          ))}
        </select>
      </label>
      <label>
        Opening balance
        <input {...fieldProps('openingBalance')} inputMode="decimal" autoComplete="off" placeholder="0.00" />
        <FieldError id={`${formId}-openingBalance-error`} message={errorFor('openingBalance')} />
      </label>
      <label>
        Overdraft limit
        <input {...fieldProps('overdraftLimit')} inputMode="decimal" autoComplete="off" placeholder="0.00" />
        <FieldError id={`${formId}-overdraftLimit-error`} message={errorFor('overdraftLimit')} />
      </label>
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
