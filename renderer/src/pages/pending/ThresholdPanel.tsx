import { useState, type FormEvent } from 'react';
import type { ApprovalThreshold } from '../../../../shared/access';
import { describeThresholdChange } from '../../../../shared/approval-thresholds';
import { currencyCodes } from '../../../../shared/currencies';
import { formatMinorGrouped, parseAmount } from '../../../../shared/money';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { Field } from '../../components/Field';
import { useCan } from '../sign-in/session-store';
import { useEngineQuery } from '../sign-in/use-engine-list';

/** A change that weakens four-eyes, waiting for the administrator to confirm it. */
interface PendingChange {
  currency: string;
  amount: string | null;
  sentence: string;
}

function money(amountMinor: number, currency: string): string {
  return `${formatMinorGrouped(amountMinor, currency)} ${currency}`;
}

/** Removing or raising a threshold lets more money move on one person's word: the sentence the administrator confirms, else null. */
function weakening(thresholds: ApprovalThreshold[], currency: string, amountMinor: number | null): string | null {
  const current = thresholds.find((threshold) => threshold.currency === currency);
  if (current === undefined) return null;
  const change = describeThresholdChange(currency, current.thresholdMinor, amountMinor);
  return change.weakens ? change.sentence : null;
}

/** The approval thresholds per currency; administrators set, lower, raise and remove them, confirming what weakens the control. */
export function ThresholdPanel() {
  const { value, reload } = useEngineQuery('approval-threshold-list', {});
  const thresholds = value ?? [];
  const canChange = useCan('administrator');
  const [refusal, setRefusal] = useState<Failure | null>(null);
  const [changed, setChanged] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingChange | null>(null);
  async function send(currency: string, amount: string | null, confirmed: boolean) {
    const result = await api.invoke('approval-threshold-set', { currency, amount, confirmed });
    setRefusal(result.ok ? null : result);
    setPending(null);
    setChanged(result.ok ? (amount === null ? `${currency} threshold removed.` : `${currency} threshold set to ${amount} ${currency}.`) : null);
    await reload();
  }
  function request(currency: string, amount: string | null) {
    setChanged(null);
    setRefusal(null);
    const amountMinor = amount === null ? null : parseAmount(amount, currency);
    if (amountMinor !== null && !amountMinor.ok) return;
    const sentence = weakening(thresholds, currency, amountMinor === null ? null : amountMinor.value);
    if (sentence === null) void send(currency, amount, false);
    else setPending({ currency, amount, sentence });
  }
  return (
    <section className="panel" aria-labelledby="threshold-title">
      <h2 id="threshold-title">Approval thresholds</h2>
      <p className="muted">
        A real-time payment above its currency&apos;s threshold, or a batch totalling more, waits here
        until another operator with the approver role decides.
      </p>
      <ThresholdTable thresholds={thresholds} canChange={canChange} onRemove={(currency) => request(currency, null)} />
      {canChange && pending === null ? <ThresholdForm onSubmit={request} /> : null}
      {pending === null ? null : (
        <ConfirmChange change={pending} onConfirm={() => void send(pending.currency, pending.amount, true)} onCancel={() => setPending(null)} />
      )}
      {changed === null ? null : <p className="success" role="status">{changed}</p>}
      {refusal === null ? null : <FailureMessage failure={refusal} prefix="Not changed:" />}
    </section>
  );
}

function ThresholdTable(props: { thresholds: ApprovalThreshold[]; canChange: boolean; onRemove: (currency: string) => void }) {
  if (props.thresholds.length === 0) return <p className="empty">No thresholds: every payment posts at once.</p>;
  return (
    <div className="table-frame threshold-list">
      <table className="data-table" aria-label="Approval thresholds">
        <thead>
          <tr>
            <th scope="col">Currency</th><th scope="col" className="numeric">Waits for approval above</th>
            {props.canChange ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
          </tr>
        </thead>
        <tbody>
          {props.thresholds.map((threshold) => (
            <tr key={threshold.currency}>
              <th scope="row">{threshold.currency}</th>
              <td className="numeric">{money(threshold.thresholdMinor, threshold.currency)}</td>
              {props.canChange ? (
                <td className="actions">
                  <button type="button" className="compact" aria-label={`Remove the ${threshold.currency} threshold`}
                    onClick={() => props.onRemove(threshold.currency)}>
                    Remove…
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Currency from the list of active ISO 4217 codes; the amount is checked against the currency's decimals as it is typed. */
function ThresholdForm({ onSubmit }: { onSubmit: (currency: string, amount: string) => void }) {
  const [currency, setCurrency] = useState('EUR');
  const [amount, setAmount] = useState('');
  const parsed = amount.trim() === '' ? null : parseAmount(amount.trim(), currency);
  const error = parsed !== null && !parsed.ok ? parsed.message : undefined;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (parsed !== null && parsed.ok) onSubmit(currency, amount.trim());
  }
  return (
    <form className="toolbar threshold-form" aria-label="Set a threshold" onSubmit={submit}>
      <Field label="Threshold currency">
        {(control) => (
          <select {...control} value={currency} onChange={(event) => setCurrency(event.target.value)}>
            {currencyCodes.map((code) => <option key={code} value={code}>{code}</option>)}
          </select>
        )}
      </Field>
      <Field label="Threshold amount" error={error}>
        {(control) => (
          <input {...control} value={amount} inputMode="decimal" placeholder="e.g. 10000.00" onChange={(event) => setAmount(event.target.value)} />
        )}
      </Field>
      <button type="submit" className="primary" disabled={parsed === null || !parsed.ok}>Set threshold</button>
    </form>
  );
}

function ConfirmChange(props: { change: PendingChange; onConfirm: () => void; onCancel: () => void }) {
  const verb = props.change.amount === null ? 'Remove' : 'Raise';
  return (
    <div className="failure threshold-confirm" role="alertdialog" aria-labelledby="threshold-confirm-title"
      aria-describedby="threshold-confirm-text">
      <p id="threshold-confirm-title"><strong>Weaken four-eyes for {props.change.currency}?</strong></p>
      <p id="threshold-confirm-text">{props.change.sentence} The change is recorded in the audit trail under your name.</p>
      <div className="form-actions">
        <button type="button" className="danger" autoFocus onClick={props.onConfirm}>{verb} the {props.change.currency} threshold</button>
        <button type="button" onClick={props.onCancel}>Keep the current threshold</button>
      </div>
    </div>
  );
}
