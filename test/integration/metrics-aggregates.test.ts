import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markDemoLedger } from '../../electron/core/demo/demo-ledger';
import { Engine } from '../../electron/core/engine';
import { batchMetrics, dashboardMetrics } from '../../electron/core/metrics/dashboard';
import type { PaymentRow } from '../../electron/core/records';
import type { SqliteDatabase } from '../../electron/core/storage/sqlite';
import { decodeCountsInto, decodeHistogramInto, pltBucketIndex, summarisePlt, type PltHistogram } from '../../shared/metrics';
import { useTempFolder } from '../support/temp-folder';

const newFolder = useTempFolder('paydesk-metrics-');

async function openLedger() {
  const folder = newFolder();
  const ledgerPath = path.join(folder, 'ledger.paydesk');
  return { engine: await Engine.open(ledgerPath, { create: true }), folder, ledgerPath };
}

async function account(engine: Engine, code: string, openingBalance: string) {
  const result = await engine.invoke('account-create', { code, name: code, currency: 'EUR', openingBalance });
  if (!result.ok) throw new Error(result.message);
}

/** Batch rows committed the way a batch chunk is: one payments record and one latency record. */
async function commitBatchChunk(engine: Engine, batchId: string, count: number, firstLine: number) {
  const state = engine.store.state;
  const rows: PaymentRow[] = [];
  const pairs: number[] = [];
  for (let line = firstLine; line < firstLine + count; line++) {
    const failing = line % 7 === 0;
    const seq = state.lastPaymentSeq + 1 + rows.length;
    rows.push({
      seq, id: `${batchId}-${line}`, d: 'ALICE', c: failing ? 'NOBODY' : 'BOB', a: 100, cur: 'EUR', ref: '', s: failing ? 0 : 1,
      code: failing ? 'AC01' : 'ACSC', msg: null, ch: 'batch', b: batchId, l: line, at: state.nextReceivedAtMs(),
    });
    pairs.push(seq, 50 + line * 13);
  }
  await engine.store.whenDurable(engine.store.commit([{ t: 'payments', rows }, { t: 'latency', pairs }]));
}

interface Recomputed {
  total: number;
  succeeded: number;
  failures: Record<string, number>;
  pltCount: number;
  pltMaxUs: number;
  histogram: Record<number, number>;
}

/** The aggregates as they should be, recomputed from the payments table alone. */
function recompute(database: SqliteDatabase): Map<string, Recomputed> {
  const windows = new Map<string, Recomputed>();
  const rows = database.all<{ channel: string; batch_id: string | null; at: number; status: number; code: string; plt: number | null }>(
    `SELECT channel, batch_id, received_at_ms AS at, status, code, plt_us AS plt
     FROM payments LEFT JOIN payment_latency USING (seq) WHERE channel != 'opening'`,
  );
  const add = (key: string, row: (typeof rows)[number]) => {
    const window = windows.get(key) ?? { total: 0, succeeded: 0, failures: {}, pltCount: 0, pltMaxUs: 0, histogram: {} };
    window.total += 1;
    if (row.status === 1) window.succeeded += 1;
    else window.failures[row.code] = (window.failures[row.code] ?? 0) + 1;
    if (row.plt !== null) {
      window.pltCount += 1;
      window.pltMaxUs = Math.max(window.pltMaxUs, row.plt);
      const bucket = pltBucketIndex(row.plt);
      window.histogram[bucket] = (window.histogram[bucket] ?? 0) + 1;
    }
    windows.set(key, window);
  };
  for (const row of rows) {
    for (const level of [1, 60, 3600]) add(`${row.channel}|${level}|${Math.floor(row.at / 1000 / level) * level}`, row);
    if (row.batch_id !== null) add(`batch:${row.batch_id}|1|${Math.floor(row.at / 1000)}`, row);
  }
  return windows;
}

function stored(engine: Engine): Map<string, Recomputed> {
  engine.store.flushMetrics();
  const database = engine.store.database;
  const windows = new Map<string, Recomputed>();
  for (const row of database.all<Record<string, string | number>>('SELECT * FROM metrics_windows')) {
    const failures = new Map<string, number>();
    decodeCountsInto(failures, String(row.failures));
    const histogram: PltHistogram = new Map();
    decodeHistogramInto(histogram, String(row.plt_histogram));
    windows.set(`${row.scope}|${row.level_s}|${row.start_s}`, {
      total: Number(row.total), succeeded: Number(row.succeeded), failures: Object.fromEntries(failures),
      pltCount: Number(row.plt_count), pltMaxUs: Number(row.plt_max_us), histogram: Object.fromEntries(histogram),
    });
  }
  return windows;
}

async function makeTraffic(engine: Engine) {
  await account(engine, 'ALICE', '1000.00');
  await account(engine, 'BOB', '0');
  for (let index = 0; index < 30; index++) {
    const amount = index % 5 === 0 ? '5000.00' : '1.00';
    const creditor = index % 9 === 0 ? 'NOBODY' : 'BOB';
    const result = await engine.invoke('payment-submit', { paymentId: `rt-${index}`, debtor: 'ALICE', creditor, amount, currency: 'EUR' });
    expect(result.ok).toBe(true);
  }
  await commitBatchChunk(engine, 'B1', 400, 1);
  await commitBatchChunk(engine, 'B1', 300, 401);
}

describe('metrics aggregates', () => {
  it('match a recomputation from the payments table, live and after a reopen that replays the journal', async () => {
    const { engine, folder } = await openLedger();
    await makeTraffic(engine);
    await engine.store.whenAllDurable();
    const live = stored(engine);
    expect(live).toEqual(recompute(engine.store.database));
    expect(live.size).toBeGreaterThan(0);

    // What a crash now would leave: the file as last checkpointed plus the journal.
    const crashFolder = path.join(folder, 'crash');
    mkdirSync(crashFolder);
    for (const name of readdirSync(folder)) {
      if (name.startsWith('ledger.paydesk') && !name.endsWith('.lock')) copyFileSync(path.join(folder, name), path.join(crashFolder, name));
    }
    const before = dashboardMetrics(engine.store.database, { range: 'all' }, Date.now());
    await engine.close();
    const recovered = await Engine.open(path.join(crashFolder, 'ledger.paydesk'), { create: true });
    expect(recovered.store.openReport.replayedRecords).toBeGreaterThan(0);
    expect(stored(recovered)).toEqual(recompute(recovered.store.database));
    expect(stored(recovered)).toEqual(live);
    const after = dashboardMetrics(recovered.store.database, { range: 'all' }, before.nowMs);
    expect(after.totals).toEqual(before.totals);
    await recovered.close();
  });

  it('answers the dashboard with totals, PSR, failures and PLT that agree with the payments', async () => {
    const { engine } = await openLedger();
    await makeTraffic(engine);
    await engine.store.whenAllDurable();
    const result = await engine.invoke('metrics-dashboard', { range: '5m' });
    if (!result.ok) throw new Error(result.message);
    const metrics = result.value;
    const database = engine.store.database;
    const count = (where: string) => Number(database.value(`SELECT COUNT(*) FROM payments WHERE channel != 'opening' AND ${where}`));
    expect(metrics.totals.total).toBe(count('1'));
    expect(metrics.totals.succeeded).toBe(count('status = 1'));
    expect(metrics.totals.successRate).toBeCloseTo(count('status = 1') / count('1'));
    expect(metrics.byTraffic.batch.total).toBe(700);
    expect(metrics.byTraffic.realtime.total).toBe(30);
    expect(metrics.headline.paymentsToday.value).toBe(730);
    const failures = Object.fromEntries(metrics.failures.map((failure) => [failure.code, failure.count]));
    expect(failures).toEqual(Object.fromEntries(database.rows("SELECT code, COUNT(*) FROM payments WHERE status = 0 GROUP BY code")));
    const histogram: PltHistogram = new Map();
    let maxUs = 0;
    for (const [plt] of database.rows("SELECT plt_us FROM payments JOIN payment_latency USING (seq) WHERE channel != 'opening'")) {
      histogram.set(pltBucketIndex(Number(plt)), (histogram.get(pltBucketIndex(Number(plt))) ?? 0) + 1);
      maxUs = Math.max(maxUs, Number(plt));
    }
    expect(metrics.totals.plt).toEqual(summarisePlt(histogram, maxUs));
    expect(metrics.points.reduce((sum, point) => sum + point.total, 0)).toBe(730);
    expect(metrics.histogram.reduce((sum, bar) => sum + bar.count, 0)).toBe(730);

    const batch = batchMetrics(database, 'B1')!;
    expect(batch.totals.total).toBe(700);
    expect(batch.totals.failed).toBe(100);
    expect(batch.totals.successRate).toBeCloseTo(600 / 700);
    expect(batch.points.reduce((sum, point) => sum + point.total, 0)).toBe(700);
    expect(await engine.invoke('metrics-batch', { batchId: 'NOPE' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    await engine.close();
  });

  it('the load generator refuses a real ledger, and only a new, empty ledger becomes a demo ledger', async () => {
    const { engine } = await openLedger();
    await account(engine, 'ALICE', '100.00');
    expect(await engine.invoke('demo-load-start', { ratePerSecond: 50, durationSeconds: 1, failingShare: 0 })).toMatchObject({
      ok: false, code: 'DEMO_ONLY', message: expect.stringContaining('runs only on a demo ledger'),
    });
    expect(engine.info()).toMatchObject({ demo: false, payments: 0 }); // an opening balance is not a payment
    expect(await markDemoLedger(engine.store)).toMatchObject({ ok: false, code: 'FF01' });
    expect(engine.info().demo).toBe(false);
    await engine.close();
  });

  it('the load generator submits real payments on a demo ledger, some failing, and stops by itself', async () => {
    const { engine } = await openLedger();
    expect(await markDemoLedger(engine.store)).toMatchObject({ ok: true });
    expect(engine.info().demo).toBe(true);
    const started = await engine.invoke('demo-load-start', { ratePerSecond: 50, durationSeconds: 1, failingShare: 0.5 });
    expect(started).toMatchObject({ ok: true, value: { running: true } });
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const status = await engine.invoke('demo-load-status', {});
    if (!status.ok) throw new Error(status.message);
    expect(status.value.running).toBe(false);
    expect(status.value.submitted).toBeGreaterThan(20);
    expect(status.value.accepted + status.value.rejected).toBe(status.value.submitted);
    expect(status.value.rejected).toBeGreaterThan(0);
    const metrics = await engine.invoke('metrics-dashboard', { range: '5m', traffic: 'realtime' });
    if (!metrics.ok) throw new Error(metrics.message);
    expect(metrics.value.totals.total).toBe(status.value.submitted);
    expect(new Set(metrics.value.failures.map((failure) => failure.code))).toEqual(new Set(['AM04', 'AC01']));
    expect(await engine.invoke('demo-load-start', { ratePerSecond: 100_000, durationSeconds: 1, failingShare: 0 })).toMatchObject({ ok: false, code: 'FF01' });
    expect(engine.verify().ok).toBe(true);
    await engine.close();
  });
});
