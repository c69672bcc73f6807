import type { FailureCount, HeadlineFigure, HistogramBar, MetricsDashboard, MetricsPoint, MetricsRange } from '../../../../shared/metrics';
import { formatChange, formatCount, formatLatency, formatPercent, formatRate } from '../../../../shared/metrics-format';
import { sentenceFor } from '../../../../shared/codes';

/**
 * What the dashboard's charts and tiles draw, computed from the engine's
 * answer by pure functions; the components only draw it.
 */

export interface LatencyPoint {
  timeMs: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface ThroughputPoint {
  timeMs: number;
  paymentsPerSecond: number;
  /** On All traffic, the real-time share alone, drawn on its own axis so a batch does not flatten it; null otherwise. */
  realtimePerSecond: number | null;
}

export interface SuccessRatePoint {
  timeMs: number;
  /** Percent, 0 to 100; null where the step had no payments (a gap, not a zero). */
  successPercent: number | null;
}

export interface HistogramChartBar {
  label: string;
  lowUs: number;
  highUs: number;
  count: number;
}

export interface FailureChartBar {
  code: string;
  count: number;
  sentence: string;
}

const toMs = (latencyUs: number | null) => (latencyUs === null ? null : latencyUs / 1000);

/**
 * PLT percentiles per step in milliseconds. A step without a measured latency
 * stays in the series as null: the line breaks there (a gap) instead of
 * running straight across the period or dropping to 0 ms.
 */
export function latencySeries(points: MetricsPoint[]): LatencyPoint[] {
  return points.map((point) => ({ timeMs: point.startMs, p50Ms: toMs(point.p50Us), p95Ms: toMs(point.p95Us), p99Ms: toMs(point.p99Us) }));
}

/** PT per step; with `realtime` (the same range on real-time traffic only), each step also carries the real-time rate. */
export function throughputSeries(points: MetricsPoint[], realtime: MetricsPoint[] | null = null): ThroughputPoint[] {
  const realtimeByStart = new Map((realtime ?? []).map((point) => [point.startMs, point.paymentsPerSecond]));
  return points.map((point) => ({
    timeMs: point.startMs,
    paymentsPerSecond: point.paymentsPerSecond,
    realtimePerSecond: realtime === null ? null : (realtimeByStart.get(point.startMs) ?? 0),
  }));
}

export function successRateSeries(points: MetricsPoint[]): SuccessRatePoint[] {
  return points.map((point) => ({ timeMs: point.startMs, successPercent: point.successRate === null ? null : point.successRate * 100 }));
}

/** Only the steps with payments, for charts that draw a dot per value. */
export function successRateDots(points: MetricsPoint[]): SuccessRatePoint[] {
  return successRateSeries(points).filter((point) => point.successPercent !== null);
}

export function histogramChartBars(bars: HistogramBar[]): HistogramChartBar[] {
  return bars.map((bar) => ({ label: formatLatency(bar.lowUs), lowUs: bar.lowUs, highUs: bar.highUs, count: bar.count }));
}

/** Most frequent first, so a rare code is read from its count label rather than guessed from a sliver of bar. */
export function failureChartBars(failures: FailureCount[]): FailureChartBar[] {
  return failures
    .map((failure) => ({ code: failure.code, count: failure.count, sentence: sentenceFor(failure.code) }))
    .sort((left, right) => right.count - left.count || left.code.localeCompare(right.code));
}

/** Axis ticks with thousands separators (12,000 and 1,234.5), and small rates to two significant digits (0.0023), never a row of zeros. */
export function formatTick(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude > 0 && magnitude < 1) return value.toLocaleString('en-US', { maximumSignificantDigits: 2 });
  return value.toLocaleString('en-US', { maximumFractionDigits: magnitude < 10 ? 2 : 1 });
}

export interface TileModel {
  id: 'payments-today' | 'psr' | 'pt-now' | 'plt-p99';
  label: string;
  value: string;
  change: string;
  comparedWith: string;
  /** Whether the change is good news: more payments, higher PSR and PT, lower PLT. */
  tone: 'better' | 'worse' | 'neutral';
}

const rangeNames: Record<MetricsRange, string> = {
  '5m': 'last 5 minutes',
  '1h': 'last hour',
  '24h': 'last 24 hours',
  all: 'all time',
  custom: 'chosen range',
};

export function rangeName(range: MetricsRange): string {
  return rangeNames[range];
}

function tone(figure: HeadlineFigure, higherIsBetter: boolean): TileModel['tone'] {
  if (figure.change === null || Math.abs(figure.change) < 0.005) return 'neutral';
  return figure.change > 0 === higherIsBetter ? 'better' : 'worse';
}

export function headlineTiles(metrics: MetricsDashboard): TileModel[] {
  const { headline } = metrics;
  const previous = metrics.range === 'all' ? 'nothing before all time' : 'the period before';
  return [
    {
      id: 'payments-today', label: 'Payments today', value: formatCount(headline.paymentsToday.value),
      change: formatChange(headline.paymentsToday.change), comparedWith: 'yesterday at this time', tone: tone(headline.paymentsToday, true),
    },
    {
      id: 'psr', label: `PSR, ${rangeName(metrics.range)}`, value: formatPercent(headline.successRate.value),
      change: formatChange(headline.successRate.change), comparedWith: previous, tone: tone(headline.successRate, true),
    },
    {
      id: 'pt-now', label: 'PT now (last 10 s)', value: formatRate(headline.throughputNow.value),
      change: formatChange(headline.throughputNow.change), comparedWith: 'the 10 s before', tone: tone(headline.throughputNow, true),
    },
    {
      id: 'plt-p99', label: `PLT p99, ${rangeName(metrics.range)}`, value: formatLatency(headline.pltP99Us.value),
      change: formatChange(headline.pltP99Us.change), comparedWith: previous, tone: tone(headline.pltP99Us, false),
    },
  ];
}

/** Time ticks read as the clock for short ranges and with the date for long ones. */
export function timeTickFormatter(stepSeconds: number): (timeMs: number) => string {
  return (timeMs) => {
    const date = new Date(timeMs);
    const withSeconds = stepSeconds < 60;
    const clock = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}) });
    if (stepSeconds < 3_600) return clock;
    return `${date.toLocaleDateString('en-GB', { day: '2-digit', month: 'short' })} ${clock}`;
  };
}

/** What the page says when there is nothing to draw. */
export function emptyMessage(metrics: MetricsDashboard): string | null {
  if (metrics.totals.total > 0) return null;
  if (metrics.range === 'all') return 'No payments yet: make one or import a batch.';
  return `No payments in the ${rangeName(metrics.range)}: choose a longer range, make a payment or import a batch.`;
}
