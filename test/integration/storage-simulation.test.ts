import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BatchProgressEvent } from '../../shared/batch';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { Engine } from '../../electron/core/engine';
import { seededRandom } from '../../scripts/generate-batch';
import { SimulatedFileSystem } from '../support/simulated-file-system';
import { useTempFolder } from '../support/temp-folder';

/**
 * The storage simulation: random payments, batches and checkpoints run over a
 * file system that fails writes and syncs (ENOSPC, EIO, torn writes, a full
 * disk) and loses unsynced data at random crashes. After every restart the
 * ledger is checked against a model of what was acknowledged: every
 * acknowledged outcome present exactly once with its status, nothing present
 * that was never submitted, every batch row reported durable present, and
 * `verify` holding. A failure names its seed; SIMULATION_SEED=N replays one,
 * SIMULATION_SEED=FROM-TO sweeps a range.
 */

const newFolder = useTempFolder('paydesk-simulation-');
const seeds = seedsToRun(process.env.SIMULATION_SEED);
const epochsPerSeed = 14;
const accounts = ['A1', 'A2', 'A3', 'A4'];

interface Outcome {
  status: 'accepted' | 'rejected';
}

interface Model {
  acknowledged: Map<string, Outcome>;
  /** Submitted, but the answer was lost to a fault or a crash: may or may not be there. */
  uncertain: Set<string>;
  /** Rows each batch reported durable (its progress events come only after the chunk's fsync). */
  batchRowsDurable: Map<string, number>;
  batchRowIds: Set<string>;
  nextId: number;
}

/** The default seeds include those that once found a bug (12: a retired journal file left unsynced at recovery). */
function seedsToRun(setting: string | undefined): number[] {
  if (setting === undefined) return [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12];
  const [from, to] = setting.split('-').map(Number);
  return Array.from({ length: (to ?? from) - from + 1 }, (_, index) => from + index);
}

async function openEngine(files: SimulatedFileSystem, ledgerPath: string): Promise<Engine> {
  return Engine.open(ledgerPath, { files: files.process(), lock: false, create: true, checkpointJournalBytes: 6_000 });
}

async function payMany(engine: Engine, model: Model, random: () => number, count: number): Promise<void> {
  const submissions = Array.from({ length: count }, () => {
    const retry = model.acknowledged.size > 0 && random() < 0.1;
    const paymentId = retry ? [...model.acknowledged.keys()][Math.floor(random() * model.acknowledged.size)] : `p-${model.nextId++}`;
    return { paymentId, retry };
  });
  await Promise.all(
    submissions.map(async ({ paymentId, retry }) => {
      const known = model.acknowledged.get(paymentId);
      // A retry repeats the first request exactly (derived from the id), so it must get the first outcome back.
      const number = Number(paymentId.slice(2));
      const request = {
        paymentId, debtor: accounts[number % 4], creditor: accounts[(number + 1) % 4], amount: `${(number % 7) * 3 + 1}.00`, currency: 'EUR',
      };
      if (!retry) model.uncertain.add(paymentId);
      const result = await engine.invoke('payment-submit', request);
      if (!result.ok) {
        expect(['LEDGER_STOPPED'], `payment ${paymentId}: ${result.code} ${result.message}`).toContain(result.code);
        return;
      }
      if (known !== undefined) expect(result.value.status, `retry of ${paymentId}`).toBe(known.status);
      model.acknowledged.set(paymentId, { status: result.value.status as Outcome['status'] });
      model.uncertain.delete(paymentId);
    }),
  );
}

async function startBatch(engine: Engine, folder: string, model: Model, random: () => number): Promise<void> {
  const rows = 20 + Math.floor(random() * 40);
  const lines = ['payment_id,debtor_account,creditor_account,amount,currency'];
  const batchTag = `b${model.nextId++}`;
  for (let index = 0; index < rows; index++) {
    const id = `${batchTag}-${index}`;
    model.batchRowIds.add(id);
    lines.push(`${id},${accounts[index % 4]},${accounts[(index + 2) % 4]},${1 + (index % 5)}.00,EUR`);
  }
  const filePath = path.join(folder, `${batchTag}.csv`);
  writeFileSync(filePath, `${lines.join('\n')}\n`);
  const service = batchService(engine);
  service.chunkRows = 7;
  const fileId = await service.importFromDisk(filePath, path.basename(filePath)).catch(() => null);
  if (fileId === null) return;
  const preview = await engine.invoke('batch-inspect', { fileId });
  if (!preview.ok) return;
  const validation = await engine.invoke('batch-validate', { fileId, mapping: preview.value.suggestedMapping });
  if (!validation.ok) return;
  await engine.invoke('batch-start', { batchId: validation.value.batch.batchId });
}

function watchBatches(engine: Engine, model: Model): void {
  engine.on('batch-progress', (event: BatchProgressEvent) => {
    const done = event.accepted + event.rejected;
    if (done > (model.batchRowsDurable.get(event.batchId) ?? 0)) model.batchRowsDurable.set(event.batchId, done);
  });
}

/** Everything acknowledged is there exactly once with its status; nothing is there that was never submitted. */
function checkAgainstModel(engine: Engine, model: Model, seed: number, epoch: number): void {
  const where = `seed ${seed}, epoch ${epoch}`;
  const report = engine.verify();
  expect(report.problems, where).toEqual([]);
  const rows = engine.store.database.all<{ payment_id: string; status: number; batch_id: string | null }>(
    "SELECT payment_id, status, batch_id FROM payments WHERE payment_id NOT LIKE '#%'",
  );
  const present = new Map(rows.map((row) => [row.payment_id, row]));
  expect(present.size, `${where}: a payment id is recorded twice`).toBe(rows.length);
  for (const [paymentId, outcome] of model.acknowledged) {
    const row = present.get(paymentId);
    expect(row, `${where}: acknowledged payment ${paymentId} is missing`).toBeDefined();
    expect(row!.status === 1 ? 'accepted' : 'rejected', `${where}: ${paymentId}`).toBe(outcome.status);
  }
  for (const [paymentId, row] of present) {
    const known = model.acknowledged.has(paymentId) || model.uncertain.has(paymentId) || model.batchRowIds.has(paymentId);
    expect(known, `${where}: ${paymentId} is in the ledger but was never submitted`).toBe(true);
    // What a retry would now learn: an uncertain payment that is on disk becomes acknowledged.
    if (model.uncertain.delete(paymentId)) model.acknowledged.set(paymentId, { status: row.status === 1 ? 'accepted' : 'rejected' });
  }
  for (const [batchId, durableRows] of model.batchRowsDurable) {
    const count = rows.filter((row) => row.batch_id === batchId).length;
    expect(count, `${where}: batch ${batchId} reported ${durableRows} rows durable`).toBeGreaterThanOrEqual(durableRows);
  }
}

/** A stopped engine may be ahead of the disk: it must not report any outcome, nor a batch's progress, from memory. */
async function checkStoppedSaysNothing(engine: Engine, model: Model): Promise<void> {
  for (const paymentId of [...model.uncertain].slice(0, 5)) {
    expect(await engine.invoke('payment-get', { paymentId })).toMatchObject({ ok: false, code: 'LEDGER_STOPPED' });
  }
  expect(await engine.invoke('account-list', {})).toMatchObject({ ok: false, code: 'LEDGER_STOPPED' });
  expect(await engine.invoke('batch-list', {})).toMatchObject({ ok: false, code: 'LEDGER_STOPPED' });
}

function injectFault(files: SimulatedFileSystem, random: () => number): void {
  const roll = random();
  if (roll < 0.35) files.failAfter(1 + Math.floor(random() * 12), random() < 0.5 ? 'ENOSPC' : 'EIO', 'write');
  else if (roll < 0.6) files.failAfter(1 + Math.floor(random() * 12), random() < 0.5 ? 'ENOSPC' : 'EIO', 'sync');
  else if (roll < 0.75) files.capacityBytes = files.usedBytes() + Math.floor(random() * 20_000);
}

async function runEpoch(engine: Engine, files: SimulatedFileSystem, folder: string, model: Model, random: () => number): Promise<void> {
  const steps = 3 + Math.floor(random() * 6);
  for (let step = 0; step < steps; step++) {
    const roll = random();
    if (roll < 0.6) await payMany(engine, model, random, 1 + Math.floor(random() * 12));
    else if (roll < 0.75) await startBatch(engine, folder, model, random);
    else if (roll < 0.85) await engine.store.checkpoint().catch(() => undefined);
    else if (roll < 0.95) {
      for (const batch of batchService(engine).list()) {
        if (batch.status === 'interrupted' || batch.status === 'paused') await engine.invoke('batch-resume', { batchId: batch.batchId });
      }
    } else await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 30)));
  }
}

async function simulate(seed: number): Promise<{ faults: number; crashes: number; acknowledged: number }> {
  const random = seededRandom(seed);
  const folder = newFolder();
  const ledgerPath = path.join(folder, 'ledger.paydesk');
  const files = new SimulatedFileSystem(random);
  const model: Model = { acknowledged: new Map(), uncertain: new Set(), batchRowsDurable: new Map(), batchRowIds: new Set(), nextId: 1 };
  let engine = await openEngine(files, ledgerPath);
  for (const code of accounts) await engine.invoke('account-create', { code, name: code, currency: 'EUR', openingBalance: '500.00' });
  let crashes = 0;
  watchBatches(engine, model);
  for (let epoch = 0; epoch < epochsPerSeed; epoch++) {
    if (random() < 0.8) injectFault(files, random);
    await runEpoch(engine, files, folder, model, random);
    if (engine.store.stopped !== null) await checkStoppedSaysNothing(engine, model);
    if (random() < 0.5) {
      files.crash();
      crashes++;
      // The old engine is a process that died: its next write fails on a dead handle and it stops.
    } else {
      await engine.close();
    }
    files.clearFaults();
    engine = await openEngine(files, ledgerPath);
    watchBatches(engine, model);
    checkAgainstModel(engine, model, seed, epoch);
  }
  await engine.close();
  return { faults: files.faultsInjected, crashes, acknowledged: model.acknowledged.size };
}

describe('storage simulation under injected faults', () => {
  it.each(seeds)('keeps every acknowledged outcome exactly once (seed %i)', async (seed) => {
    const result = await simulate(seed);
    console.log(`storage simulation seed ${seed}: ${result.faults} faults, ${result.crashes} crashes, ${result.acknowledged} outcomes kept`);
    expect(result.acknowledged).toBeGreaterThan(0);
  }, 120_000);
});
