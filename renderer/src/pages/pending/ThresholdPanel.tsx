import { useState, type FormEvent } from 'react';
import { formatMinorGrouped } from '../../../../shared/money';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { Field } from '../../components/Field';
import { useCan } from '../sign-in/session-store';
import { useEngineQuery } from '../sign-in/use-engine-list';

/** The approval thresholds per currency; administrators change them. */
export function ThresholdPanel() {
  const { value, reload } = useEngineQuery('approval-threshold-list', {});
  const canChange = useCan('administrator');
  const [currency, setCurrency] = useState('EUR');
  const [amount, setAmount] = useState('');
  const [refusal, setRefusal] = useState<Failure | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await api.invoke('approval-threshold-set', { currency, amount: amount.trim() === '' ? null : amount.trim() });
    setRefusal(result.ok ? null : result);
    if (result.ok) setAmount('');
    await reload();
  }
  return (
    <section className="panel" aria-labelledby="threshold-title">
      <h2 id="threshold-title">Approval thresholds</h2>
      <p className="muted">
        A real-time payment above its currency&apos;s threshold, or a batch totalling more, waits here
        until another operator with the approver role decides.
      </p>
      {(value ?? []).length === 0 ? <p className="empty">No thresholds: every payment posts at once.</p> : (
        <ul>
          {(value ?? []).map((threshold) => (
            <li key={threshold.currency}>
              {threshold.currency}: above {formatMinorGrouped(threshold.thresholdMinor, threshold.currency)}
            </li>
          ))}
        </ul>
      )}
      {canChange ? (
        <form className="toolbar" onSubmit={submit}>
          <Field label="Threshold currency">{(control) => <input {...control} value={currency} onChange={(event) => setCurrency(event.target.value)} />}</Field>
          <Field label="Threshold amount (empty removes it)">
            {(control) => <input {...control} value={amount} inputMode="decimal" onChange={(event) => setAmount(event.target.value)} />}
          </Field>
          <button type="submit">Set threshold</button>
        </form>
      ) : null}
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not changed:" />}
    </section>
  );
}
