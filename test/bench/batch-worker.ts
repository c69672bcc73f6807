/**
 * One side of the batch benchmark, in a process of its own so its peak RSS is
 * its own: `node --import tsx test/bench/batch-worker.ts MODE INPUT.csv WORKFOLDER`
 * (for `apply-floor`, a row count instead of the input file). MODE is pipeline,
 * naive, memory, apply-floor or sqljs-floor.
 * Prints one JSON line: rows, milliseconds, peak RSS, and for `pipeline` the
 * latencies of single payments submitted while the batch ran.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { Engine } from '../../electron/core/engine';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { detectDialect, readCsvRecords } from '../../electron/core/batch/csv-source';
import { SqliteDatabase, type Params } from '../../electron/core/storage/sqlite';
import { seedDemoLedger } from '../../electron/cli/demo';
import { parseAmount } from '../../shared/money';
import { batchChunkRows } from '../../electron/core/batch/batch-runner';
import { LedgerState } from '../../electron/core/ledger-state';
import type { PaymentRow } from '../../electron/core/records';
import { schemaStatements } from '../../electron/core/schema';
import { defaultAccounts } from '../../scripts/generate-batch';
import { quantile } from './harness';

/** How often a single payment is sent while the batch runs, to measure how the form would feel. */
const singlePaymentIntervalMs = 50;

const [mode, inputPath, workFolder] = process.argv.slice(2);

async function pipeline(): Promise<Record<string, number>> {
  const engine = await Engine.open(path.join(workFolder, `pipeline-${process.pid}.paydesk`), { create: true });
  await seedDemoLedger(engine);
  const service = batchService(engine);
  const startNs = process.hrtime.bigint();
  const fileId = await service.importFromDisk(inputPath, path.basename(inputPath));
  const preview = await service.inspect({ fileId });
  if (!preview.ok) throw new Error(preview.message);
  const validation = await service.validate({ fileId, mapping: preview.value.suggestedMapping });
  if (!validation.ok) throw new Error(validation.message);
  const validatedNs = process.hrtime.bigint();
  const batchId = validation.value.batch.batchId;
  const started = await service.start(batchId);
  if (!started.ok) throw new Error(started.message);
  const results = service.streamResults(batchId, path.join(workFolder, `results-${process.pid}.csv`));
  const singleLatenciesMs = await paySinglesUntil(engine, service.whenStopped(batchId));
  const summary = await service.whenStopped(batchId);
  const processedNs = process.hrtime.bigint();
  await results.finish();
  const endNs = process.hrtime.bigint();
  const ms = Number(endNs - startNs) / 1e6;
  await engine.close();
  singleLatenciesMs.sort((left, right) => left - right);
  return {
    rows: summary.rows, ms, accepted: summary.accepted,
    validateMs: Number(validatedNs - startNs) / 1e6, processMs: Number(processedNs - validatedNs) / 1e6, resultsMs: Number(endNs - processedNs) / 1e6,
    singlePayments: singleLatenciesMs.length,
    singleP50Ms: quantile(singleLatenciesMs, 0.5), singleP99Ms: quantile(singleLatenciesMs, 0.99), singleMaxMs: singleLatenciesMs.at(-1) ?? Number.NaN,
  };
}

/** Submits a single payment every few milliseconds until the batch ends, timing each answer. */
async function paySinglesUntil(engine: Engine, stopped: Promise<unknown>): Promise<number[]> {
  const latenciesMs: number[] = [];
  let running = true;
  void stopped.then(() => (running = false));
  for (let index = 0; running; index++) {
    const startNs = process.hrtime.bigint();
    const result = await engine.invoke('payment-submit', {
      paymentId: `SINGLE-${index}`, debtor: 'ACME-PAYROLL', creditor: 'INITECH', amount: '0.01', currency: 'EUR',
    });
    if (!result.ok) throw new Error(result.message);
    latenciesMs.push(Number(process.hrtime.bigint() - startNs) / 1e6);
    await new Promise((resolve) => setTimeout(resolve, singlePaymentIntervalMs));
  }
  return latenciesMs;
}

/**
 * The textbook way: papaparse reads the file, and each row is posted on sql.js
 * with a SELECT of the debtor's balance, two UPDATEs and an INSERT, all in one
 * transaction.
 */
async function naive(): Promise<Record<string, number>> {
  const startNs = process.hrtime.bigint();
  const database = await SqliteDatabase.open();
  database.exec('CREATE TABLE accounts (code TEXT PRIMARY KEY, balance_minor INTEGER NOT NULL)');
  database.exec(`CREATE TABLE transfers (id INTEGER PRIMARY KEY, payment_id TEXT NOT NULL UNIQUE, debtor TEXT NOT NULL,
    creditor TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, reference TEXT NOT NULL)`);
  const parsed = Papa.parse<Record<string, string>>(readFileSync(inputPath, 'utf8'), { header: true, skipEmptyLines: true });
  let rows = 0;
  database.transaction(() => {
    for (const code of ['ACME-OPS', 'ACME-PAYROLL', 'GLOBEX', 'INITECH']) database.run('INSERT INTO accounts VALUES (?, ?)', [code, 1e12]);
    for (const row of parsed.data) {
      const amount = parseAmount(row.amount, row.currency);
      if (!amount.ok) continue;
      const balance = Number(database.value('SELECT balance_minor FROM accounts WHERE code = ?', [row.debtor_account]));
      if (balance < amount.value) continue;
      database.run('UPDATE accounts SET balance_minor = balance_minor - ? WHERE code = ?', [amount.value, row.debtor_account]);
      database.run('UPDATE accounts SET balance_minor = balance_minor + ? WHERE code = ?', [amount.value, row.creditor_account]);
      database.run('INSERT INTO transfers (payment_id, debtor, creditor, amount_minor, currency, reference) VALUES (?, ?, ?, ?, ?, ?)', [
        row.payment_id, row.debtor_account, row.creditor_account, amount.value, row.currency, row.reference,
      ]);
      rows++;
    }
  });
  return { rows, ms: Number(process.hrtime.bigint() - startNs) / 1e6 };
}

/** The in-memory limit: the same streaming parse, exact amounts and balances in a JS map, no storage at all. */
async function memory(): Promise<Record<string, number>> {
  const startNs = process.hrtime.bigint();
  const balances = new Map<string, number>();
  let rows = 0;
  let header = true;
  for await (const group of readCsvRecords(inputPath, await detectDialect(inputPath))) {
    for (const record of group) {
      if (header) {
        header = false;
        continue;
      }
      const [, debtor, creditor, amountText, currency] = record.fields;
      const amount = parseAmount(amountText, currency);
      if (!amount.ok) continue;
      balances.set(debtor, (balances.get(debtor) ?? 0) - amount.value);
      balances.set(creditor, (balances.get(creditor) ?? 0) + amount.value);
      rows++;
    }
  }
  return { rows, ms: Number(process.hrtime.bigint() - startNs) / 1e6 };
}

/**
 * The storage floor: the pipeline's own apply step (LedgerState.apply of
 * 1,000-row payments records, one transaction each: the multi-row INSERTs, the
 * metrics counting, the balances) on rows made in memory, with no file to
 * parse, no validation, no journal and no results. Whatever the pipeline does
 * besides, it cannot go faster than this.
 */
async function applyFloor(): Promise<Record<string, number>> {
  const rowCount = Number(inputPath);
  const database = await SqliteDatabase.open();
  for (const statement of schemaStatements) database.exec(statement);
  const state = new LedgerState(database);
  database.transaction(() => {
    for (const [index, code] of defaultAccounts.entries()) {
      state.apply({ t: 'account', id: index + 1, code, name: code, currency: 'EUR', kind: 'customer', overdraftLimitMinor: 0, createdAtMs: 0 });
    }
  });
  const atMs = Date.now();
  const startNs = process.hrtime.bigint();
  for (let first = 1; first <= rowCount; first += batchChunkRows) {
    const rows: PaymentRow[] = [];
    for (let seq = first; seq < first + batchChunkRows && seq <= rowCount; seq++) {
      const debtor = defaultAccounts[seq % 4];
      const creditor = defaultAccounts[(seq + 1) % 4];
      rows.push({ seq, id: `floor-${seq}`, d: debtor, c: creditor, a: 100 + (seq % 900), cur: 'EUR', ref: `Invoice ${seq}`, s: 1, code: 'ACSC',
        msg: null, ch: 'batch', b: 'floor', l: seq + 1, at: atMs });
    }
    database.transaction(() => state.apply({ t: 'payments', rows }));
  }
  return { rows: rowCount, ms: Number(process.hrtime.bigint() - startNs) / 1e6 };
}

/** Rows per transaction in the sql.js floor: the native loop's commit interval. */
const sqlJsFloorRowsPerCommit = 1000;
const nativeShapeColumns = 6;

/** The input's rows as the native loop inserts them, end to end: payment id, debtor, creditor, amount in minor units, currency, reference. */
function nativeShapeValues(): Params {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(inputPath, 'utf8'), { header: true, skipEmptyLines: true });
  const values: Params = [];
  for (const row of parsed.data) {
    const amount = parseAmount(row.amount, row.currency);
    if (!amount.ok) throw new Error(`the bench input has an amount that does not parse: ${row.amount}`);
    values.push(row.payment_id, row.debtor_account, row.creditor_account, amount.value, row.currency, row.reference);
  }
  return values;
}

/**
 * The sql.js floor of issue 14's comparison: every row of the input inserted
 * into a payments table of the native loop's shape (a unique payment id, an
 * index per account) through SqliteDatabase.insertRows, the path the ledger
 * uses, a transaction per 1,000 rows, nothing else (no balances, no journal,
 * no fsync). The file is read and parsed before the clock starts, so this is
 * sql.js's own time: `paydesk batch` on the same rows cannot go faster.
 */
async function sqlJsFloor(): Promise<Record<string, number>> {
  const values = nativeShapeValues();
  const database = await SqliteDatabase.open();
  database.exec(`CREATE TABLE payments (id INTEGER PRIMARY KEY, payment_id TEXT NOT NULL UNIQUE, debtor TEXT NOT NULL,
    creditor TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, reference TEXT)`);
  database.exec('CREATE INDEX payments_debtor ON payments (debtor)');
  database.exec('CREATE INDEX payments_creditor ON payments (creditor)');
  const insert = 'INSERT INTO payments (payment_id, debtor, creditor, amount_minor, currency, reference)';
  const valuesPerCommit = sqlJsFloorRowsPerCommit * nativeShapeColumns;
  const startNs = process.hrtime.bigint();
  for (let start = 0; start < values.length; start += valuesPerCommit) {
    database.transaction(() => database.insertRows(insert, nativeShapeColumns, values.slice(start, start + valuesPerCommit)));
  }
  const ms = Number(process.hrtime.bigint() - startNs) / 1e6;
  const rows = Number(database.value('SELECT count(*) FROM payments'));
  database.close();
  return { rows, ms };
}

const modes: Record<string, () => Promise<Record<string, number>>> = { pipeline, naive, memory, 'apply-floor': applyFloor, 'sqljs-floor': sqlJsFloor };
const figures = await modes[mode]();
process.stdout.write(`${JSON.stringify({ ...figures, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
