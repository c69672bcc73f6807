import { useEffect, useState } from 'react';
import { FailureMessage } from '../../components/FailureMessage';
import { usePayDeskStore } from '../../store';
import { useCan } from '../sign-in/session-store';
import { loadGeneratorLimits, type LoadGeneratorStatus } from '../../../../shared/metrics';
import type { DashboardStore, LoadSettings } from './dashboard-store';

/** The settings as numbers, or the first problem with them in words (checked again in core). */
export function checkLoadSettings(settings: LoadSettings): { ratePerSecond: number; durationSeconds: number; failingShare: number } | string {
  const rate = Number(settings.ratePerSecond);
  const duration = Number(settings.durationSeconds);
  const failingPercent = Number(settings.failingPercent);
  if (!Number.isInteger(rate) || rate < 1 || rate > loadGeneratorLimits.ratePerSecondMax) {
    return `The rate is a whole number from 1 to ${loadGeneratorLimits.ratePerSecondMax} payments per second.`;
  }
  if (!Number.isInteger(duration) || duration < 1 || duration > loadGeneratorLimits.durationSecondsMax) {
    return `The duration is a whole number from 1 to ${loadGeneratorLimits.durationSecondsMax} seconds.`;
  }
  if (settings.failingPercent.trim() === '' || !(failingPercent >= 0 && failingPercent <= 100)) return 'The failing share is from 0 to 100 %.';
  return { ratePerSecond: rate, durationSeconds: duration, failingShare: failingPercent / 100 };
}

export function describeLoadStatus(status: LoadGeneratorStatus | null, nowMs: number): string {
  if (status === null || (status.startedAtMs === null && !status.running)) return 'Not running.';
  const counts = `${status.submitted} submitted, ${status.accepted} accepted, ${status.rejected} rejected`;
  if (status.running) {
    const leftSeconds = Math.max(0, Math.ceil(((status.endsAtMs ?? nowMs) - nowMs) / 1000));
    return `Running at ${status.ratePerSecond}/s: ${counts}; ${leftSeconds} s left.`;
  }
  return `Stopped${status.stoppedBecause === null ? '' : ` (${status.stoppedBecause})`}: ${counts}.`;
}

/**
 * The load generator, for administrators only and only on a demo ledger (core refuses it anywhere
 * else with DEMO_ONLY). On a real ledger the panel says where demos run instead of offering Start.
 */
export function LoadGeneratorPanel({ store }: { store: DashboardStore }) {
  const canRun = useCan('administrator');
  const demo = usePayDeskStore((state) => state.ledgerInfo?.demo);
  if (!canRun || demo === undefined) return null;
  if (!demo) {
    return (
      <section className="panel load-generator" aria-labelledby="load-generator-title">
        <h2 id="load-generator-title" className="chart-title">Demo load generator</h2>
        <p className="muted" data-testid="load-generator-demo-only">
          The load generator runs only on a demo ledger, never on this one: it would post thousands of made-up payments into real balances
          and the real audit trail. Create a demo ledger with <code>paydesk demo --db demo.paydesk</code> and open that file to try it.
        </p>
      </section>
    );
  }
  return <LoadGeneratorControls store={store} />;
}

function LoadGeneratorControls({ store }: { store: DashboardStore }) {
  const [confirming, setConfirming] = useState(false);
  const settings = store((state) => state.loadSettings);
  const status = store((state) => state.loadStatus);
  const failure = store((state) => state.loadFailure);
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    if (!status?.running) return;
    const timer = setInterval(() => setNowMs(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [status?.running]);
  const checked = checkLoadSettings(settings);
  const { setLoadSettings, startLoad, stopLoad } = store.getState();
  const input = (key: keyof LoadSettings, label: string, unit: string) => (
    <label className="field">
      <span>{label}</span>
      <span className="input-with-unit">
        <input inputMode="numeric" value={settings[key]} onChange={(event) => setLoadSettings({ [key]: event.target.value })} aria-label={label} />
        <span className="muted">{unit}</span>
      </span>
    </label>
  );
  return (
    <section className="panel load-generator" aria-labelledby="load-generator-title">
      <h2 id="load-generator-title" className="chart-title">Demo load generator</h2>
      <p className="muted">
        Submits real payments through the engine so the charts come alive; the failing share is split between insufficient funds (AM04)
        and an unknown creditor (AC01).
      </p>
      <div className="toolbar">
        {input('ratePerSecond', 'Rate', 'payments/s')}
        {input('durationSeconds', 'Duration', 's')}
        {input('failingPercent', 'Failing share', '%')}
        <button type="button" className="primary" disabled={typeof checked === 'string' || confirming} onClick={() => setConfirming(true)}>
          {status?.running ? 'Restart…' : 'Start…'}
        </button>
        <button type="button" disabled={!status?.running} onClick={() => void stopLoad()}>Stop</button>
      </div>
      {typeof checked === 'string' && <p className="field-error">{checked}</p>}
      {confirming && typeof checked !== 'string' ? (
        <div className="notice load-confirm" role="alertdialog" aria-labelledby="load-confirm-text">
          <p id="load-confirm-text">
            Post about {(checked.ratePerSecond * checked.durationSeconds).toLocaleString('en-US')} made-up payments into this demo ledger
            over {checked.durationSeconds.toLocaleString('en-US')} s? They are recorded like any payment, in balances and the audit trail.
          </p>
          <div className="form-actions">
            <button type="button" className="primary" autoFocus onClick={() => { setConfirming(false); void startLoad(checked); }}>
              Start the load generator
            </button>
            <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
          </div>
        </div>
      ) : null}
      {failure !== null && <FailureMessage failure={failure} />}
      <p data-testid="load-status" aria-live="polite">{describeLoadStatus(status, nowMs)}</p>
    </section>
  );
}
