import { useEffect, useMemo, useRef, type FormEvent } from 'react';
import { checkPaymentDraft, type PaymentField } from '../lib/payment-validation';
import { usePayDeskStore } from '../store';
import { AccountPicker } from './AccountPicker';
import { Field } from './Field';

/** What the form needs from the store, with the checks and the lock worked out. */
function usePaymentFormState() {
  const draft = usePayDeskStore((state) => state.paymentDraft);
  const paymentId = usePayDeskStore((state) => state.paymentId);
  const accounts = usePayDeskStore((state) => state.accounts);
  const submitting = usePayDeskStore((state) => state.paymentSubmitting);
  const attempted = usePayDeskStore((state) => state.paymentAttempted);
  const answered = usePayDeskStore((state) => state.paymentOutcome !== null);
  const check = checkPaymentDraft(draft, paymentId, accounts);
  return {
    draft,
    paymentId,
    accounts,
    submitting,
    answered,
    currency: accounts.find((account) => account.code === draft.debtor)?.currency ?? '',
    // Errors show while typing; a field left empty only complains after a submit.
    errorFor: (field: PaymentField) => (attempted || draft[field] !== '' ? check.errors[field] : undefined),
    // Once the engine has answered, this id belongs to that payment: the fields freeze until "New payment".
    locked: answered || submitting,
  };
}

export function PaymentForm() {
  const { draft, paymentId, accounts, submitting, answered, currency, errorFor, locked } = usePaymentFormState();
  // The equity accounts carry opening balances: no operator pays out of them.
  const debtors = useMemo(() => accounts.filter((account) => account.kind !== 'equity'), [accounts]);
  const setDraft = usePayDeskStore((state) => state.setPaymentDraft);
  const submitPayment = usePayDeskStore((state) => state.submitPayment);
  const startNewPayment = usePayDeskStore((state) => state.startNewPayment);
  const form = useRef<HTMLFormElement>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    void submitPayment();
  }

  return (
    <form ref={form} className="panel form-grid payment-form" onSubmit={submit} aria-label="Single payment" noValidate>
      <h2>Single payment</h2>
      <p className="payment-id">
        Payment id <span className="mono">{paymentId}</span>
      </p>
      <AccountPicker
        label="Debtor"
        accounts={debtors}
        value={draft.debtor}
        onChange={(debtor) => setDraft({ debtor })}
        error={errorFor('debtor')}
        disabled={locked}
      />
      <AccountPicker
        label="Creditor"
        accounts={accounts}
        value={draft.creditor}
        onChange={(creditor) => setDraft({ creditor })}
        error={errorFor('creditor')}
        disabled={locked}
      />
      <Field label="Amount" error={errorFor('amount')}>
        {(control) => (
          <input
            {...control}
            value={draft.amount}
            onChange={(event) => setDraft({ amount: event.target.value })}
            inputMode="decimal"
            autoComplete="off"
            placeholder="e.g. 125.50"
            disabled={locked}
          />
        )}
      </Field>
      <Field label="Currency">
        {(control) => <input {...control} value={currency} readOnly tabIndex={-1} placeholder="From the debtor" className="read-only" />}
      </Field>
      <Field label="Reference" error={errorFor('reference')} className="wide">
        {(control) => (
          <input {...control} value={draft.reference} onChange={(event) => setDraft({ reference: event.target.value })} autoComplete="off" disabled={locked} />
        )}
      </Field>
      <PaymentFormActions submitting={submitting} answered={answered} onNew={() => {
        startNewPayment();
        requestAnimationFrame(() => form.current?.querySelector<HTMLInputElement>('input:not([disabled])')?.focus());
      }} />
    </form>
  );
}

/** Submit, and once the engine has answered, "New payment" (focused, so Enter starts the next one; typing then starts at the debtor). */
function PaymentFormActions({ submitting, answered, onNew }: { submitting: boolean; answered: boolean; onNew: () => void }) {
  const newPaymentButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (answered) newPaymentButton.current?.focus();
  }, [answered]);
  return (
    <div className="form-actions">
      <button type="submit" className={answered ? undefined : 'primary'} disabled={submitting}>
        {submitting ? 'Submitting…' : 'Submit payment'}
      </button>
      {answered ? (
        <button ref={newPaymentButton} type="button" className="primary" onClick={onNew} disabled={submitting}>
          New payment
        </button>
      ) : null}
    </div>
  );
}
