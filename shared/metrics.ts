import type { ReasonCode } from './codes';

/**
 * Metrics both sides need: the PLT histogram's bucket layout, percentiles,
 * PSR and PT arithmetic, and the shapes the metrics channels answer with.
 * Pure functions only; no Node, no DOM.
 *
 * PLT histogram layout (log-linear, like HdrHistogram with 3 significant bits):
 * a latency v in whole microseconds falls in bucket v itself when v < 16, so
 * buckets 0..15 are exact. Above that, each power of two [2^e, 2^(e+1)) is cut
 * into 8 equal sub-buckets of width 2^(e-3): bucket (e - 2) * 8 + s covers
 * [(8 + s) * 2^(e-3), (9 + s) * 2^(e-3)). Values at or above 2^32 us (about
 * 71 minutes) share the last bucket. A bucket is reported by its midpoint, so
 * a percentile read from the histogram is within 1/16 (6.25 %) of the exact
 * value; the maximum is kept exactly.
 */
export const pltSubBucketsPerOctave = 8;
export const pltBucketCount = 240;
const pltLargestExponent = 31;

/** Which bucket a latency falls in. Negative and fractional values are clamped and floored. */
export function pltBucketIndex(latencyUs: number): number {
  const value = Math.floor(Math.max(0, Math.min(latencyUs, 2 ** 32 - 1)));
  if (value < 16) return value;
  const exponent = pltLargestExponent - Math.clz32(value);
  const subBucket = Math.floor(value / 2 ** (exponent - 3)) - 8;
  return (exponent - 2) * pltSubBucketsPerOctave + subBucket;
}

/** The bucket's range [lowUs, highUs). */
export function pltBucketBounds(index: number): { lowUs: number; highUs: number } {
  if (index < 16) return { lowUs: index, highUs: index + 1 };
  const exponent = Math.floor(index / pltSubBucketsPerOctave) + 2;
  const subBucket = index % pltSubBucketsPerOctave;
  const widthUs = 2 ** (exponent - 3);
  return { lowUs: (8 + subBucket) * widthUs, highUs: (9 + subBucket) * widthUs };
}

/** The value a bucket stands for: exact below 16 us, otherwise the midpoint. */
export function pltBucketValueUs(index: number): number {
  const { lowUs, highUs } = pltBucketBounds(index);
  return highUs - lowUs === 1 ? lowUs : (lowUs + highUs) / 2;
}

/** A sparse histogram: bucket index -> count. */
export type PltHistogram = Map<number, number>;

export function addToHistogram(histogram: PltHistogram, index: number, count = 1): void {
  histogram.set(index, (histogram.get(index) ?? 0) + count);
}

export function mergeHistogram(into: PltHistogram, from: PltHistogram): void {
  for (const [index, count] of from) addToHistogram(into, index, count);
}

/** Stored form: "index:count" pairs by ascending index, comma-separated ("" when empty). */
export function encodeHistogram(histogram: PltHistogram): string {
  return [...histogram.entries()]
    .filter(([, count]) => count > 0)
    .sort((left, right) => left[0] - right[0])
    .map(([index, count]) => `${index}:${count}`)
    .join(',');
}

export function decodeHistogramInto(into: PltHistogram, text: string): void {
  if (text === '') return;
  for (const pair of text.split(',')) {
    const colon = pair.indexOf(':');
    addToHistogram(into, Number(pair.slice(0, colon)), Number(pair.slice(colon + 1)));
  }
}

/** Stored form of failure counts by reason code: "CODE:count" pairs. Same encoding, string keys. */
export function encodeCounts(counts: Map<string, number>): string {
  return [...counts.entries()]
    .filter(([, count]) => count > 0)
    .sort((left, right) => left[0].localeCompare(right[0]))
    .map(([key, count]) => `${key}:${count}`)
    .join(',');
}

export function decodeCountsInto(into: Map<string, number>, text: string): void {
  if (text === '') return;
  for (const pair of text.split(',')) {
    const colon = pair.lastIndexOf(':');
    const key = pair.slice(0, colon);
    into.set(key, (into.get(key) ?? 0) + Number(pair.slice(colon + 1)));
  }
}

/**
 * The nearest-rank percentile (the smallest value with at least p % of the
 * values at or below it), read from the histogram and capped at the exact
 * maximum. Null when the histogram is empty.
 */
export function pltPercentileUs(histogram: PltHistogram, percentile: number, maxUs: number): number | null {
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((percentile / 100) * total));
  const indexes = [...histogram.keys()].sort((left, right) => left - right);
  let seen = 0;
  for (const index of indexes) {
    seen += histogram.get(index)!;
    if (seen >= rank) return Math.min(pltBucketValueUs(index), maxUs);
  }
  return maxUs;
}

/** A dense histogram: one count per bucket, cheaper than a map when many windows are summed. */
export function newPltCounts(): Float64Array {
  return new Float64Array(pltBucketCount);
}

/** Adds the stored "index:count,..." text into dense counts without building strings or arrays. */
export function decodeHistogramIntoCounts(counts: Float64Array, text: string): void {
  let index = 0;
  let value = 0;
  let readingIndex = true;
  for (let position = 0; position <= text.length; position++) {
    const code = position === text.length ? 44 : text.charCodeAt(position);
    if (code === 58) {
      readingIndex = false;
    } else if (code === 44) {
      if (!readingIndex) counts[index] += value;
      index = 0;
      value = 0;
      readingIndex = true;
    } else if (readingIndex) {
      index = index * 10 + (code - 48);
    } else {
      value = value * 10 + (code - 48);
    }
  }
}

export function countsToHistogram(counts: ArrayLike<number>): PltHistogram {
  const histogram: PltHistogram = new Map();
  for (let index = 0; index < counts.length; index++) if (counts[index] > 0) histogram.set(index, counts[index]);
  return histogram;
}

/** Percentiles from dense counts; the same nearest-rank rule as `pltPercentileUs`. */
export function summarisePltCounts(counts: ArrayLike<number>, maxUs: number): PltSummary {
  let count = 0;
  for (let index = 0; index < counts.length; index++) count += counts[index];
  const percentile = (wanted: number): number | null => {
    if (count === 0) return null;
    const rank = Math.max(1, Math.ceil((wanted / 100) * count));
    let seen = 0;
    for (let index = 0; index < counts.length; index++) {
      seen += counts[index];
      if (seen >= rank) return Math.min(pltBucketValueUs(index), maxUs);
    }
    return maxUs;
  };
  return { count, p50Us: percentile(50), p95Us: percentile(95), p99Us: percentile(99), maxUs: count === 0 ? null : maxUs };
}

export interface PltSummary {
  count: number;
  p50Us: number | null;
  p95Us: number | null;
  p99Us: number | null;
  maxUs: number | null;
}

export function summarisePlt(histogram: PltHistogram, maxUs: number): PltSummary {
  let count = 0;
  for (const value of histogram.values()) count += value;
  return {
    count,
    p50Us: pltPercentileUs(histogram, 50, maxUs),
    p95Us: pltPercentileUs(histogram, 95, maxUs),
    p99Us: pltPercentileUs(histogram, 99, maxUs),
    maxUs: count === 0 ? null : maxUs,
  };
}

/** PSR = Ns / Nt as a fraction from 0 to 1; null when there were no payments. */
export function successRate(succeeded: number, total: number): number | null {
  return total === 0 ? null : succeeded / total;
}

/** PT = N / T in payments per second; null for an empty period. */
export function paymentsPerSecond(count: number, periodMs: number): number | null {
  return periodMs <= 0 ? null : count / (periodMs / 1000);
}

/** The relative change from `previous` to `current` (0.25 is +25 %); null when it cannot be told. */
export function relativeChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return (current - previous) / previous;
}

/** Widths of the windows kept as payments commit: one second, one minute, one hour. */
export const metricsLevelsSeconds = [1, 60, 3600] as const;

/** Chart steps offered, in seconds; the smallest that keeps a range under `chartPointsMax` is used. */
export const chartStepsSeconds = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 21_600, 86_400, 604_800] as const;
export const chartPointsMax = 360;

/** The chart step for a span, and the stored window width that step is summed from. */
export function chooseStep(spanMs: number): { stepSeconds: number; levelSeconds: number } {
  const spanSeconds = Math.max(1, Math.ceil(spanMs / 1000));
  const stepSeconds = chartStepsSeconds.find((step) => spanSeconds / step <= chartPointsMax) ?? chartStepsSeconds[chartStepsSeconds.length - 1];
  const levelSeconds = [...metricsLevelsSeconds].reverse().find((level) => stepSeconds % level === 0) ?? 1;
  return { stepSeconds, levelSeconds };
}

/* ---- What the metrics channels answer with ---- */

export const metricsRanges = ['5m', '1h', '24h', 'all', 'custom'] as const;
export type MetricsRange = (typeof metricsRanges)[number];
export const metricsTraffic = ['all', 'realtime', 'batch'] as const;
export type MetricsTraffic = (typeof metricsTraffic)[number];

export const rangeLengthsMs: Record<Exclude<MetricsRange, 'all' | 'custom'>, number> = {
  '5m': 5 * 60_000,
  '1h': 60 * 60_000,
  '24h': 24 * 60 * 60_000,
};

/** "PT now" counts the payments of this many most recent seconds. */
export const throughputNowSeconds = 10;

export interface HeadlineFigure {
  value: number | null;
  previous: number | null;
  change: number | null;
}

export interface MetricsHeadline {
  /** Payments received since the start of today, against yesterday up to the same time. */
  paymentsToday: HeadlineFigure;
  /** PSR over the chosen range, against the range of the same length before it. */
  successRate: HeadlineFigure;
  /** Payments per second over the last `throughputNowSeconds`, against the seconds before them. */
  throughputNow: HeadlineFigure;
  /** PLT p99 in microseconds over the chosen range, against the range before it. */
  pltP99Us: HeadlineFigure;
}

export interface MetricsPoint {
  startMs: number;
  total: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  paymentsPerSecond: number;
  p50Us: number | null;
  p95Us: number | null;
  p99Us: number | null;
  maxUs: number | null;
}

export interface HistogramBar {
  index: number;
  lowUs: number;
  highUs: number;
  count: number;
}

export interface FailureCount {
  code: ReasonCode;
  count: number;
}

export interface MetricsTotals {
  total: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  paymentsPerSecond: number | null;
  plt: PltSummary;
}

export interface MetricsDashboard {
  range: MetricsRange;
  traffic: MetricsTraffic;
  fromMs: number;
  toMs: number;
  stepSeconds: number;
  nowMs: number;
  headline: MetricsHeadline;
  totals: MetricsTotals;
  points: MetricsPoint[];
  histogram: HistogramBar[];
  failures: FailureCount[];
  /** Totals per traffic kind over the range, for the "real-time vs batch" comparison. */
  byTraffic: { realtime: MetricsTotals; batch: MetricsTotals };
}

export interface BatchMetrics {
  batchId: string;
  totals: MetricsTotals;
  firstReceivedAtMs: number | null;
  lastReceivedAtMs: number | null;
  failures: FailureCount[];
  /** Rows per second while it ran, one point per second. */
  points: MetricsPoint[];
}

export interface MetricsTickEvent {
  /** Payments counted in the aggregates so far (real-time and batch). */
  payments: number;
  lastReceivedAtMs: number;
}

export interface LoadGeneratorStatus {
  running: boolean;
  ratePerSecond: number;
  durationSeconds: number;
  failingShare: number;
  startedAtMs: number | null;
  endsAtMs: number | null;
  submitted: number;
  accepted: number;
  rejected: number;
  /** Why it stopped, when it stopped by itself on an error. */
  stoppedBecause: string | null;
}

/** Bounds on the load generator, so a demo cannot flood the ledger. */
export const loadGeneratorLimits = {
  ratePerSecondMax: 500,
  durationSecondsMax: 600,
} as const;
