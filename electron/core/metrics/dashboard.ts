import type { ReasonCode } from '../../../shared/codes';
import {
  chooseStep,
  decodeCountsInto,
  decodeHistogramIntoCounts,
  metricsLevelsSeconds,
  newPltCounts,
  paymentsPerSecond,
  pltBucketBounds,
  rangeLengthsMs,
  relativeChange,
  successRate,
  summarisePltCounts,
  throughputNowSeconds,
  type BatchMetrics,
  type FailureCount,
  type HeadlineFigure,
  type MetricsDashboard,
  type MetricsPoint,
  type MetricsRange,
  type MetricsTotals,
  type MetricsTraffic,
} from '../../../shared/metrics';
import type { SqliteDatabase } from '../storage/sqlite';
import { batchScope, type StoredCounts } from './aggregates';

/**
 * The queries behind the dashboard, over the per-window aggregates only. A
 * range is cut into at most `chartPointsMax` steps, each summed from stored
 * windows of the widest width that divides it (1 s, 1 min or 1 h), so a day
 * reads 1,440 one-minute rows per traffic kind whatever the payment count.
 * Ranges are widened to whole steps.
 */

export interface DashboardRequest {
  range: MetricsRange;
  traffic?: MetricsTraffic;
  fromMs?: number;
  toMs?: number;
  todayStartMs?: number;
}

const dayMs = 24 * 60 * 60_000;
/** The previous period (for the tiles' change) is summed from windows no wider than 1/30 of it. */
const previousWindowsMin = 30;

/** Everything summed over a set of windows. */
interface Accumulator {
  total: number;
  succeeded: number;
  failures: Map<string, number>;
  pltMaxUs: number;
  histogram: Float64Array;
}

interface WindowRow extends StoredCounts {
  start_s: number;
}

const windowRowsSql = `SELECT start_s, total, succeeded, failures, plt_count, plt_max_us, plt_histogram FROM metrics_windows
  WHERE scope = ? AND level_s = ? AND start_s >= ? AND start_s < ? ORDER BY start_s`;

/** Rows as arrays are several times cheaper to read from sql.js than rows as objects. */
function windowRowFrom(values: unknown[]): WindowRow {
  return {
    start_s: values[0] as number, total: values[1] as number, succeeded: values[2] as number, failures: values[3] as string,
    plt_count: values[4] as number, plt_max_us: values[5] as number, plt_histogram: values[6] as string,
  };
}

function emptyAccumulator(): Accumulator {
  return { total: 0, succeeded: 0, failures: new Map(), pltMaxUs: 0, histogram: newPltCounts() };
}

function addRow(into: Accumulator, row: WindowRow): void {
  into.total += row.total;
  into.succeeded += row.succeeded;
  decodeCountsInto(into.failures, row.failures);
  if (row.plt_count > 0 && row.plt_histogram !== '') {
    into.pltMaxUs = Math.max(into.pltMaxUs, row.plt_max_us);
    decodeHistogramIntoCounts(into.histogram, row.plt_histogram);
  }
}

function mergeAccumulator(into: Accumulator, from: Accumulator): void {
  into.total += from.total;
  into.succeeded += from.succeeded;
  for (const [code, count] of from.failures) into.failures.set(code, (into.failures.get(code) ?? 0) + count);
  into.pltMaxUs = Math.max(into.pltMaxUs, from.pltMaxUs);
  for (let index = 0; index < from.histogram.length; index++) into.histogram[index] += from.histogram[index];
}

function totalsOf(accumulator: Accumulator, periodMs: number | null): MetricsTotals {
  return {
    total: accumulator.total,
    succeeded: accumulator.succeeded,
    failed: accumulator.total - accumulator.succeeded,
    successRate: successRate(accumulator.succeeded, accumulator.total),
    paymentsPerSecond: periodMs === null ? null : paymentsPerSecond(accumulator.total, periodMs),
    plt: summarisePltCounts(accumulator.histogram, accumulator.pltMaxUs),
  };
}

function failuresOf(accumulator: Accumulator): FailureCount[] {
  return [...accumulator.failures.entries()]
    .map(([code, count]) => ({ code: code as ReasonCode, count }))
    .sort((left, right) => right.count - left.count || left.code.localeCompare(right.code));
}

function scopesFor(traffic: MetricsTraffic): string[] {
  return traffic === 'all' ? ['realtime', 'batch'] : [traffic];
}

/** Sums one scope's windows in [fromS, toS) into one accumulator per step (keyed by step start). */
function readSteps(database: SqliteDatabase, scope: string, levelSeconds: number, stepSeconds: number, fromS: number, toS: number) {
  const steps = new Map<number, Accumulator>();
  for (const values of database.rows(windowRowsSql, [scope, levelSeconds, fromS, toS])) {
    const row = windowRowFrom(values);
    const stepStart = Math.floor(row.start_s / stepSeconds) * stepSeconds;
    let step = steps.get(stepStart);
    if (step === undefined) {
      step = emptyAccumulator();
      steps.set(stepStart, step);
    }
    addRow(step, row);
  }
  return steps;
}

/** One range's windows, per traffic kind and per step. */
function readRange(database: SqliteDatabase, fromMs: number, toMs: number, totalsOnly = false) {
  let { stepSeconds, levelSeconds } = chooseStep(toMs - fromMs);
  if (totalsOnly) {
    // Only the sums are wanted: the widest windows that still cut the range into enough pieces for its edges to matter little.
    levelSeconds = [...metricsLevelsSeconds].reverse().find((level) => (toMs - fromMs) / 1000 / level >= previousWindowsMin) ?? 1;
    stepSeconds = levelSeconds;
  }
  const fromS = Math.floor(fromMs / 1000 / stepSeconds) * stepSeconds;
  const toS = Math.floor(toMs / 1000) + 1;
  const byScope = new Map<string, Map<number, Accumulator>>();
  for (const scope of ['realtime', 'batch']) byScope.set(scope, readSteps(database, scope, levelSeconds, stepSeconds, fromS, toS));
  return { stepSeconds, fromS, toS, byScope };
}

function sumSteps(steps: Iterable<Accumulator>): Accumulator {
  const sum = emptyAccumulator();
  for (const step of steps) mergeAccumulator(sum, step);
  return sum;
}

/** Count of payments in [fromMs, toMs] from one-minute windows (the minute holding toMs included). */
function countBetween(database: SqliteDatabase, scopes: string[], fromMs: number, toMs: number, levelSeconds: number): number {
  const fromS = Math.floor(fromMs / 1000 / levelSeconds) * levelSeconds;
  const toS = Math.floor(toMs / 1000) + 1;
  let count = 0;
  for (const scope of scopes) {
    count += Number(database.value(
      'SELECT COALESCE(SUM(total), 0) FROM metrics_windows WHERE scope = ? AND level_s = ? AND start_s >= ? AND start_s < ?',
      [scope, levelSeconds, fromS, toS],
    ));
  }
  return count;
}

function figure(value: number | null, previous: number | null): HeadlineFigure {
  return { value, previous, change: relativeChange(value, previous) };
}

/** The first and last second any traffic was counted in, or null on an empty ledger. */
function trafficSpan(database: SqliteDatabase): { firstMs: number; lastMs: number } | null {
  // One MIN or MAX per statement: SQLite answers those from the primary key without a scan.
  const ends: number[] = [];
  for (const scope of ['realtime', 'batch']) {
    for (const aggregate of ['MIN', 'MAX']) {
      const value = database.value(`SELECT ${aggregate}(start_s) FROM metrics_windows WHERE scope = ? AND level_s = 1`, [scope]);
      if (typeof value === 'number') ends.push(value);
    }
  }
  if (ends.length === 0) return null;
  return { firstMs: Math.min(...ends) * 1000, lastMs: Math.max(...ends) * 1000 + 999 };
}

export function resolveRange(database: SqliteDatabase, request: DashboardRequest, nowMs: number): { fromMs: number; toMs: number } {
  if (request.range === 'custom') return { fromMs: request.fromMs ?? nowMs - dayMs, toMs: request.toMs ?? nowMs };
  if (request.range === 'all') {
    const span = trafficSpan(database);
    if (span === null) return { fromMs: nowMs - rangeLengthsMs['5m'], toMs: nowMs };
    return { fromMs: span.firstMs, toMs: Math.max(nowMs, span.lastMs) };
  }
  return { fromMs: nowMs - rangeLengthsMs[request.range], toMs: nowMs };
}

export function localDayStartMs(nowMs: number): number {
  const day = new Date(nowMs);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

export function dashboardMetrics(database: SqliteDatabase, request: DashboardRequest, nowMs: number): MetricsDashboard {
  const traffic = request.traffic ?? 'all';
  const scopes = scopesFor(traffic);
  const { fromMs, toMs } = resolveRange(database, request, nowMs);
  const current = readRange(database, fromMs, toMs);
  const stepMs = current.stepSeconds * 1000;
  const perScope = (scope: string) => sumSteps(current.byScope.get(scope)!.values());
  const realtime = perScope('realtime');
  const batch = perScope('batch');
  const selected = emptyAccumulator();
  for (const scope of scopes) mergeAccumulator(selected, scope === 'realtime' ? realtime : batch);
  const spanMs = (current.toS - current.fromS) * 1000;
  const points = buildPoints(current, scopes);
  let previous: Accumulator | null = null;
  if (request.range !== 'all') {
    const previousRange = readRange(database, current.fromS * 1000 - (toMs - fromMs), current.fromS * 1000 - 1, true);
    previous = emptyAccumulator();
    for (const scope of scopes) mergeAccumulator(previous, sumSteps(previousRange.byScope.get(scope)!.values()));
  }
  const currentTotals = totalsOf(selected, spanMs);
  const previousTotals = previous === null ? null : totalsOf(previous, spanMs);
  const todayStartMs = request.todayStartMs ?? localDayStartMs(nowMs);
  const nowS = Math.floor(nowMs / 1000);
  const recent = countBetween(database, scopes, (nowS - throughputNowSeconds) * 1000, (nowS - 1) * 1000, 1);
  const before = countBetween(database, scopes, (nowS - 2 * throughputNowSeconds) * 1000, (nowS - throughputNowSeconds - 1) * 1000, 1);
  return {
    range: request.range,
    traffic,
    fromMs: current.fromS * 1000,
    toMs,
    stepSeconds: current.stepSeconds,
    nowMs,
    headline: {
      paymentsToday: figure(countBetween(database, scopes, todayStartMs, nowMs, 60), countBetween(database, scopes, todayStartMs - dayMs, nowMs - dayMs, 60)),
      successRate: figure(currentTotals.successRate, previousTotals?.successRate ?? null),
      throughputNow: figure(recent / throughputNowSeconds, before / throughputNowSeconds),
      pltP99Us: figure(currentTotals.plt.p99Us, previousTotals?.plt.p99Us ?? null),
    },
    totals: currentTotals,
    points,
    histogram: histogramBars(selected.histogram),
    failures: failuresOf(selected),
    byTraffic: { realtime: totalsOf(realtime, spanMs), batch: totalsOf(batch, spanMs) },
  };

  function buildPoints(range: ReturnType<typeof readRange>, pointScopes: string[]): MetricsPoint[] {
    const result: MetricsPoint[] = [];
    for (let startS = range.fromS; startS < range.toS; startS += range.stepSeconds) {
      const step = emptyAccumulator();
      for (const scope of pointScopes) {
        const found = range.byScope.get(scope)!.get(startS);
        if (found !== undefined) mergeAccumulator(step, found);
      }
      // The last step may still be running: its PT is over the part that has elapsed (at least a second).
      const elapsedMs = Math.max(1000, Math.min(stepMs, toMs - startS * 1000));
      result.push(pointOf(startS * 1000, step, elapsedMs));
    }
    return result;
  }
}

function pointOf(startMs: number, step: Accumulator, stepMs: number): MetricsPoint {
  const plt = summarisePltCounts(step.histogram, step.pltMaxUs);
  return {
    startMs,
    total: step.total,
    succeeded: step.succeeded,
    failed: step.total - step.succeeded,
    successRate: successRate(step.succeeded, step.total),
    paymentsPerSecond: step.total / (stepMs / 1000),
    p50Us: plt.p50Us,
    p95Us: plt.p95Us,
    p99Us: plt.p99Us,
    maxUs: plt.maxUs,
  };
}

/** Bars from the first to the last non-empty bucket, so the histogram has no long empty tails. */
export function histogramBars(counts: Float64Array) {
  const first = counts.findIndex((count) => count > 0);
  if (first === -1) return [];
  const last = counts.findLastIndex((count) => count > 0);
  const bars = [];
  for (let index = first; index <= last; index++) bars.push({ index, ...pltBucketBounds(index), count: counts[index] });
  return bars;
}

interface BatchRow extends StoredCounts {
  first_ms: number | null;
  last_ms: number;
}

/** One batch's PSR, PT and PLT, and its rows per second while it ran. Null when no row of it is counted. */
export function batchMetrics(database: SqliteDatabase, batchId: string): BatchMetrics | null {
  const row = database.get<BatchRow>('SELECT * FROM metrics_batches WHERE batch_id = ?', [batchId]);
  if (row === undefined) return null;
  const accumulator = emptyAccumulator();
  addRow(accumulator, { ...row, start_s: 0 });
  const firstMs = row.first_ms;
  const durationMs = firstMs === null ? 0 : row.last_ms - firstMs;
  const totals = totalsOf(accumulator, durationMs > 0 ? durationMs : null);
  const points: MetricsPoint[] = [];
  if (firstMs !== null) {
    const { stepSeconds } = chooseStep(durationMs + 1000);
    const fromS = Math.floor(firstMs / 1000 / stepSeconds) * stepSeconds;
    const toS = Math.floor(row.last_ms / 1000) + 1;
    const steps = readSteps(database, batchScope(batchId), 1, stepSeconds, fromS, toS);
    for (let startS = fromS; startS < toS; startS += stepSeconds) {
      points.push(pointOf(startS * 1000, steps.get(startS) ?? emptyAccumulator(), stepSeconds * 1000));
    }
  }
  return {
    batchId,
    totals,
    firstReceivedAtMs: firstMs,
    lastReceivedAtMs: firstMs === null ? null : row.last_ms,
    failures: failuresOf(accumulator),
    points,
  };
}
