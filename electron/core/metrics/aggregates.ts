import {
  addToHistogram,
  decodeCountsInto,
  decodeHistogramInto,
  encodeCounts,
  encodeHistogram,
  metricsLevelsSeconds,
  pltBucketIndex,
  type PltHistogram,
} from '../../../shared/metrics';
import type { PaymentRow } from '../records';
import type { SqliteDatabase } from '../storage/sqlite';

/**
 * Per-window aggregates kept as payments commit, so no chart ever scans the
 * payments table. `LedgerState.apply` calls in here for every payment and
 * every latency, live and on journal replay alike, and `flush` writes the
 * touched windows inside the same transaction: the aggregates can never
 * disagree with the payments they count, also after a crash.
 *
 * Scopes: 'realtime' and 'batch' windows at 1 s, 1 min and 1 h; each batch
 * also gets its own 1 s windows (scope "batch:<id>") for its PT curve, and one
 * row of totals in metrics_batches. Opening balances are not traffic and are
 * left out.
 *
 * Why deltas in memory and one read-modify-write per touched window at the
 * end of each record: a batch chunk of thousands of rows lands in a handful of
 * windows, so it costs a handful of statements instead of three per row.
 */

interface Delta {
  total: number;
  succeeded: number;
  failures: Map<string, number>;
  pltCount: number;
  pltMaxUs: number;
  histogram: PltHistogram;
  firstMs: number;
  lastMs: number;
}

interface PaymentKey {
  atMs: number;
  channel: string;
  batchId: string | null;
}

/** Payments remembered until their latency record arrives; past this, the database is asked instead. */
const awaitingLatencyMax = 100_000;

export const batchScopePrefix = 'batch:';

export function batchScope(batchId: string): string {
  return `${batchScopePrefix}${batchId}`;
}

const selectWindowSql = `SELECT total, succeeded, failures, plt_count, plt_max_us, plt_histogram FROM metrics_windows
  WHERE scope = ? AND level_s = ? AND start_s = ?`;
const replaceWindowSql = `INSERT OR REPLACE INTO metrics_windows
  (scope, level_s, start_s, total, succeeded, failures, plt_count, plt_max_us, plt_histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const selectBatchSql = `SELECT total, succeeded, failures, plt_count, plt_max_us, plt_histogram, first_ms, last_ms
  FROM metrics_batches WHERE batch_id = ?`;
const replaceBatchSql = `INSERT OR REPLACE INTO metrics_batches
  (batch_id, total, succeeded, failures, plt_count, plt_max_us, plt_histogram, first_ms, last_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The counting columns that metrics_windows and metrics_batches share, as stored. */
export interface StoredCounts {
  total: number;
  succeeded: number;
  failures: string;
  plt_count: number;
  plt_max_us: number;
  plt_histogram: string;
}

interface StoredRow extends StoredCounts {
  first_ms?: number;
  last_ms?: number;
}

export class MetricsAggregates {
  private readonly windows = new Map<string, Delta>();
  private readonly batches = new Map<string, Delta>();
  private readonly awaitingLatency = new Map<number, PaymentKey>();
  private readonly listeners = new Set<(counted: number) => void>();
  private changed = false;
  /** The deltas of the last payment counted; valid until the next flush or discard. */
  private lastDeltas: { second: number; channel: string; batchId: string | null; deltas: Delta[] } | null = null;
  /** Real-time and batch payments counted so far (for the tick event). */
  counted = 0;

  constructor(private readonly database: SqliteDatabase) {
    this.counted = Number(database.value(
      "SELECT COALESCE(SUM(total), 0) FROM metrics_windows WHERE level_s = 3600 AND scope IN ('realtime', 'batch')",
    ) ?? 0);
  }

  recordPayment(row: PaymentRow): void {
    if (row.ch === 'opening') return;
    const failed = row.s === 1 ? null : row.code;
    for (const delta of this.deltasFor(row.ch, row.b, row.at)) countPayment(delta, row.at, failed);
    if (this.awaitingLatency.size >= awaitingLatencyMax) this.awaitingLatency.clear();
    this.awaitingLatency.set(row.seq, { atMs: row.at, channel: row.ch, batchId: row.b });
    this.counted += 1;
    this.changed = true;
  }

  /** A batch row refused before payment: it counts in the batch's totals and PSR as a failure, and has no latency. */
  recordRefused(batchId: string, atMs: number, code: string): void {
    for (const delta of this.deltasFor('batch', batchId, atMs)) countPayment(delta, atMs, code);
    this.counted += 1;
    this.changed = true;
  }

  recordLatency(seq: number, latencyUs: number): void {
    const key = this.awaitingLatency.get(seq) ?? this.lookUpPayment(seq);
    this.awaitingLatency.delete(seq);
    if (key === undefined || key.channel === 'opening') return;
    const bucket = pltBucketIndex(latencyUs);
    for (const delta of this.deltasFor(key.channel, key.batchId, key.atMs)) countLatency(delta, bucket, latencyUs);
    this.changed = true;
  }

  /**
   * Every delta a payment counts in: its traffic's windows at each level, and
   * for a batch row the batch's totals and its 1 s window. Rows of a batch
   * chunk share a second, so the last answer is kept and reused: building the
   * window keys per row was the largest cost of counting a batch.
   */
  private deltasFor(channel: string, batchId: string | null, atMs: number): Delta[] {
    const second = Math.floor(atMs / 1000);
    const last = this.lastDeltas;
    if (last !== null && last.second === second && last.channel === channel && last.batchId === batchId) return last.deltas;
    const deltas = metricsLevelsSeconds.map((levelSeconds) => this.delta(this.windows, windowKey(channel, levelSeconds, atMs)));
    if (batchId !== null) {
      deltas.push(this.delta(this.batches, batchId), this.delta(this.windows, windowKey(batchScope(batchId), 1, atMs)));
    }
    this.lastDeltas = { second, channel, batchId, deltas };
    return deltas;
  }

  /** True when counts wait in memory for `flush`. */
  get hasPending(): boolean {
    return this.windows.size > 0 || this.batches.size > 0;
  }

  /** Writes every touched window; LedgerStore.flushMetrics calls it inside a transaction. */
  flush(): void {
    for (const [key, delta] of this.windows) {
      const [scope, level, start] = splitWindowKey(key);
      const stored = this.database.get<StoredRow>(selectWindowSql, [scope, level, start]);
      const merged = mergeStored(delta, stored);
      this.database.run(replaceWindowSql, [scope, level, start, ...merged]);
    }
    for (const [batchId, delta] of this.batches) {
      const stored = this.database.get<StoredRow>(selectBatchSql, [batchId]);
      const merged = mergeStored(delta, stored);
      const firstMs = Math.min(delta.firstMs, stored?.first_ms ?? Number.POSITIVE_INFINITY);
      const lastMs = Math.max(delta.lastMs, stored?.last_ms ?? 0);
      this.database.run(replaceBatchSql, [batchId, ...merged, Number.isFinite(firstMs) ? firstMs : null, lastMs]);
    }
    this.windows.clear();
    this.batches.clear();
    this.lastDeltas = null;
    if (!this.changed) return;
    this.changed = false;
    for (const listener of this.listeners) listener(this.counted);
  }

  /** After a failed transaction: forget what was not written, and recount from what was. */
  discard(): void {
    this.windows.clear();
    this.batches.clear();
    this.lastDeltas = null;
    this.awaitingLatency.clear();
    this.changed = false;
    this.counted = Number(this.database.value(
      "SELECT COALESCE(SUM(total), 0) FROM metrics_windows WHERE level_s = 3600 AND scope IN ('realtime', 'batch')",
    ) ?? 0);
  }

  /** Called after each flush that changed something; returns the way to stop. */
  onChange(listener: (counted: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private delta(map: Map<string, Delta>, key: string): Delta {
    let delta = map.get(key);
    if (delta === undefined) {
      delta = emptyDelta();
      map.set(key, delta);
    }
    return delta;
  }

  private lookUpPayment(seq: number): PaymentKey | undefined {
    const row = this.database.get<{ at: number; channel: string; batch_id: string | null }>(
      'SELECT received_at_ms AS at, channel, batch_id FROM payments WHERE seq = ?',
      [seq],
    );
    return row === undefined ? undefined : { atMs: row.at, channel: row.channel, batchId: row.batch_id };
  }
}

function emptyDelta(): Delta {
  return {
    total: 0, succeeded: 0, failures: new Map(), pltCount: 0, pltMaxUs: 0, histogram: new Map(),
    firstMs: Number.POSITIVE_INFINITY, lastMs: 0,
  };
}

function countPayment(delta: Delta, atMs: number, failedCode: string | null): void {
  delta.total += 1;
  if (failedCode === null) delta.succeeded += 1;
  else delta.failures.set(failedCode, (delta.failures.get(failedCode) ?? 0) + 1);
  delta.firstMs = Math.min(delta.firstMs, atMs);
  delta.lastMs = Math.max(delta.lastMs, atMs);
}

function countLatency(delta: Delta, bucket: number, latencyUs: number): void {
  delta.pltCount += 1;
  delta.pltMaxUs = Math.max(delta.pltMaxUs, latencyUs);
  addToHistogram(delta.histogram, bucket);
}

/** A window's key: scope, width and start (seconds, aligned to the width). */
function windowKey(scope: string, levelSeconds: number, atMs: number): string {
  const startSeconds = Math.floor(atMs / 1000 / levelSeconds) * levelSeconds;
  return `${levelSeconds}|${startSeconds}|${scope}`;
}

function splitWindowKey(key: string): [string, number, number] {
  const first = key.indexOf('|');
  const second = key.indexOf('|', first + 1);
  return [key.slice(second + 1), Number(key.slice(0, first)), Number(key.slice(first + 1, second))];
}

/** The stored row plus the delta, as the columns total .. plt_histogram. */
function mergeStored(delta: Delta, stored: StoredRow | undefined): [number, number, string, number, number, string] {
  if (stored === undefined) {
    return [delta.total, delta.succeeded, encodeCounts(delta.failures), delta.pltCount, delta.pltMaxUs, encodeHistogram(delta.histogram)];
  }
  const failures = new Map(delta.failures);
  decodeCountsInto(failures, stored.failures);
  const histogram = new Map(delta.histogram);
  decodeHistogramInto(histogram, stored.plt_histogram);
  return [
    stored.total + delta.total,
    stored.succeeded + delta.succeeded,
    encodeCounts(failures),
    stored.plt_count + delta.pltCount,
    Math.max(stored.plt_max_us, delta.pltMaxUs),
    encodeHistogram(histogram),
  ];
}
