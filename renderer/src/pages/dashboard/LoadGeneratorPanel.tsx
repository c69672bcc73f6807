import { useEffect, useState } from 'react';
import { FailureMessage } from '../../components/FailureMessage';
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

export function LoadGeneratorPanel({ store }: { store: DashboardStore }) {
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
        <button type="button" disabled={typeof checked === 'string'} onClick={() => typeof checked !== 'string' && void startLoad(checked)}>
          {status?.running ? 'Restart' : 'Start'}
        </button>
        <button type="button" disabled={!status?.running} onClick={() => void stopLoad()}>Stop</button>
      </div>
      {typeof checked === 'string' && <p className="field-error">{checked}</p>}
      {failure !== null && <FailureMessage failure={failure} />}
      <p data-testid="load-status" aria-live="polite">{describeLoadStatus(status, nowMs)}</p>
    </section>
  );
}
