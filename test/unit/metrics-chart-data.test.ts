import { describe, expect, it } from 'vitest';
import type { MetricsDashboard, MetricsPoint, MetricsTotals } from '../../shared/metrics';
import {
  emptyMessage,
  failureChartBars,
  formatTick,
  headlineTiles,
  histogramChartBars,
  latencySeries,
  successRateSeries,
  throughputSeries,
} from '../../renderer/src/pages/dashboard/chart-data';
import { checkLoadSettings, describeLoadStatus } from '../../renderer/src/pages/dashboard/LoadGeneratorPanel';

function point(startMs: number, total: number, succeeded: number, p50Us: number | null): MetricsPoint {
  return {
    startMs, total, succeeded, failed: total - succeeded, successRate: total === 0 ? null : succeeded / total, paymentsPerSecond: total,
    p50Us, p95Us: p50Us === null ? null : p50Us * 2, p99Us: p50Us === null ? null : p50Us * 3, maxUs: p50Us === null ? null : p50Us * 4,
  };
}

const noTotals: MetricsTotals = {
  total: 0, succeeded: 0, failed: 0, successRate: null, paymentsPerSecond: null, plt: { count: 0, p50Us: null, p95Us: null, p99Us: null, maxUs: null },
};

function dashboard(overrides: Partial<MetricsDashboard>): MetricsDashboard {
  const figure = { value: null, previous: null, change: null };
  return {
    range: '5m', traffic: 'all', fromMs: 0, toMs: 3_000, stepSeconds: 1, nowMs: 3_000,
    headline: { paymentsToday: figure, successRate: figure, throughputNow: figure, pltP99Us: figure },
    totals: noTotals, points: [], histogram: [], failures: [], byTraffic: { realtime: noTotals, batch: noTotals },
    ...overrides,
  };
}

describe('dashboard chart data', () => {
  const points = [point(0, 4, 3, 1_500), point(1_000, 0, 0, null), point(2_000, 2, 2, 800)];

  it('gives PLT in milliseconds and keeps a step without a latency as a gap, never as 0 ms', () => {
    expect(latencySeries(points)).toEqual([
      { timeMs: 0, p50Ms: 1.5, p95Ms: 3, p99Ms: 4.5 },
      { timeMs: 1_000, p50Ms: null, p95Ms: null, p99Ms: null },
      { timeMs: 2_000, p50Ms: 0.8, p95Ms: 1.6, p99Ms: 2.4 },
    ]);
  });

  it('keeps every step for PT (zero is a real value) and leaves PSR empty where nothing was paid', () => {
    expect(throughputSeries(points).map((entry) => entry.paymentsPerSecond)).toEqual([4, 0, 2]);
    expect(throughputSeries(points).map((entry) => entry.realtimePerSecond)).toEqual([null, null, null]);
    // On All traffic the real-time rate rides along per step, for its own axis; a step it has no point for is 0.
    expect(throughputSeries(points, [point(0, 1, 1, 900)]).map((entry) => entry.realtimePerSecond)).toEqual([1, 0, 0]);
    expect(successRateSeries(points).map((entry) => entry.successPercent)).toEqual([75, null, 100]);
  });

  it('labels histogram bars and failure bars for people', () => {
    expect(histogramChartBars([{ index: 67, lowUs: 1_408, highUs: 1_536, count: 3 }])).toEqual([{ label: '1.41 ms', lowUs: 1_408, highUs: 1_536, count: 3 }]);
    expect(failureChartBars([{ code: 'AM04', count: 2 }])[0].sentence).toMatch(/Insufficient funds/);
  });

  it('sorts failure bars by count and groups tick labels', () => {
    const bars = failureChartBars([{ code: 'AC01', count: 3 }, { code: 'AM04', count: 30_000 }, { code: 'AC04', count: 3 }]);
    expect(bars.map((bar) => bar.code)).toEqual(['AM04', 'AC01', 'AC04']);
    expect(formatTick(12_000)).toBe('12,000');
    expect(formatTick(1_234.56)).toBe('1,234.6');
    expect(formatTick(0.125)).toBe('0.13');
    expect(formatTick(0.000_023_4)).toBe('0.000023');
    expect(formatTick(0)).toBe('0');
  });

  it('builds the four tiles with their change and whether it is good news', () => {
    const tiles = headlineTiles(dashboard({
      headline: {
        paymentsToday: { value: 1_234, previous: 1_000, change: 0.234 },
        successRate: { value: 0.95, previous: 0.99, change: -0.0404 },
        throughputNow: { value: 4.2, previous: null, change: null },
        pltP99Us: { value: 1_472, previous: 2_000, change: -0.264 },
      },
    }));
    expect(tiles.map((tile) => [tile.id, tile.value, tile.change, tile.tone])).toEqual([
      ['payments-today', '1,234', '+23.4 %', 'better'],
      ['psr', '95.00 %', '−4.0 %', 'worse'],
      ['pt-now', '4.2/s', 'no earlier data', 'neutral'],
      ['plt-p99', '1.47 ms', '−26.4 %', 'better'],
    ]);
  });

  it('says what to do when there is nothing to draw', () => {
    expect(emptyMessage(dashboard({ range: 'all' }))).toBe('No payments yet: make one or import a batch.');
    expect(emptyMessage(dashboard({ range: '5m' }))).toMatch(/^No payments in the last 5 minutes/);
    expect(emptyMessage(dashboard({ totals: { ...noTotals, total: 1 } }))).toBeNull();
  });
});

describe('load generator panel', () => {
  it('checks the settings as the operator types, with the same bounds as core', () => {
    const settings = checkLoadSettings({ ratePerSecond: '20', durationSeconds: '60', failingPercent: '5' });
    expect(settings).toEqual({ ratePerSecond: 20, durationSeconds: 60, failingShare: 0.05 });
    expect(checkLoadSettings({ ratePerSecond: '501', durationSeconds: '60', failingPercent: '5' })).toMatch(/rate/);
    expect(checkLoadSettings({ ratePerSecond: '20', durationSeconds: '601', failingPercent: '5' })).toMatch(/duration/);
    expect(checkLoadSettings({ ratePerSecond: '20', durationSeconds: '60', failingPercent: '' })).toMatch(/failing share/);
  });

  it('describes the status in a sentence', () => {
    const status = {
      running: true, ratePerSecond: 20, durationSeconds: 60, failingShare: 0.1, startedAtMs: 0, endsAtMs: 60_000,
      submitted: 100, accepted: 90, rejected: 10, stoppedBecause: null,
    };
    expect(describeLoadStatus(status, 30_000)).toBe('Running at 20/s: 100 submitted, 90 accepted, 10 rejected; 30 s left.');
    expect(describeLoadStatus({ ...status, running: false }, 70_000)).toBe('Stopped: 100 submitted, 90 accepted, 10 rejected.');
    expect(describeLoadStatus(null, 0)).toBe('Not running.');
  });
});
