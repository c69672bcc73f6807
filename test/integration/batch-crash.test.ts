import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { generateBatch, seededRandom } from '../../scripts/generate-batch';
import { useTempFolder } from '../support/temp-folder';

const newFolder = useTempFolder('paydesk-batch-crash-');
const workerPath = path.join(import.meta.dirname, 'batch-crash-worker.ts');

const batchRows = 50_000;
const chunkRows = 500;
const killCount = 6;

/**
 * Runs the worker; unless `kill` is null, kills it with SIGKILL once it has
 * reported `kill.chunks` durable chunks and `kill.ms` more have passed (so a
 * kill may land between chunks or in the middle of one).
 */
function runWorker(ledgerPath: string, csvPath: string, kill: { chunks: number; ms: number } | null): Promise<'killed' | 'done'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerPath, ledgerPath, csvPath, String(chunkRows)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let done = false;
    let chunks = 0;
    const killSoon = () => setTimeout(() => child.kill('SIGKILL'), kill!.ms);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'READY' && kill !== null && kill.chunks === 0) killSoon();
      if (line === 'CHUNK' && kill !== null && ++chunks === kill.chunks) killSoon();
      if (line === 'DONE') done = true;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && done) resolve('done');
      else reject(new Error(`the worker ended with code ${code} before completing the batch`));
    });
  });
}

/** The invariant after any crash: the batch's payments are exactly the rows its committed progress counts. */
async function checkCommittedState(ledgerPath: string) {
  const engine = await Engine.open(ledgerPath, { create: true });
  try {
    const database = engine.store.database;
    const batch = database.get<{ id: string; status: string; rows_done: number; accepted: number; rejected: number }>('SELECT * FROM batches');
    const payments = batch === undefined ? 0 : Number(database.value('SELECT COUNT(*) FROM payments WHERE batch_id = ?', [batch.id]));
    if (batch !== undefined) {
      expect(payments).toBe(batch.accepted + batch.rejected);
      expect(batch.rows_done).toBe(payments);
      const listed = await engine.invoke('batch-list', {});
      if (batch.status === 'running') expect(listed.ok && listed.value[0].status).toBe('interrupted');
    }
    expect(engine.verify().ok).toBe(true);
    return { batch, payments };
  } finally {
    await engine.close();
  }
}

describe('batch crash recovery', () => {
  it('resumes after SIGKILL at the last committed chunk: every row paid exactly once, none skipped', async () => {
    const folder = newFolder();
    const ledgerPath = path.join(folder, 'ledger.paydesk');
    const csvPath = path.join(folder, 'crash.csv');
    await generateBatch(csvPath, batchRows, 42, 'k', ['NORTH', 'SOUTH', 'EAST', 'WEST']);
    const random = seededRandom(Number(process.env.PAYDESK_CRASH_SEED ?? 20_251_125));
    let interruptedSeen = 0;
    for (let kill = 0; kill < killCount; kill++) {
      const outcome = await runWorker(ledgerPath, csvPath, { chunks: Math.floor(random() * 25), ms: Math.floor(random() * 4) });
      const { batch } = await checkCommittedState(ledgerPath);
      if (outcome === 'done') break;
      if (batch?.status === 'running') interruptedSeen++;
    }
    expect(interruptedSeen).toBeGreaterThan(0);
    expect(await runWorker(ledgerPath, csvPath, null)).toBe('done');
    const engine = await Engine.open(ledgerPath, { create: true });
    const database = engine.store.database;
    const batchId = String(database.value('SELECT id FROM batches'));
    expect(database.get('SELECT status, rows_done AS rowsDone FROM batches')).toEqual({ status: 'completed', rowsDone: batchRows });
    expect(Number(database.value('SELECT COUNT(*) FROM payments WHERE batch_id = ?', [batchId]))).toBe(batchRows);
    expect(Number(database.value('SELECT COUNT(DISTINCT line) FROM payments WHERE batch_id = ?', [batchId]))).toBe(batchRows);
    expect(database.get('SELECT MIN(line) AS first, MAX(line) AS last FROM payments WHERE batch_id = ?', [batchId])).toEqual({ first: 2, last: batchRows + 1 });
    // Every account could cover every row, so each balance is its opening plus what the file moves.
    const expected = new Map(['NORTH', 'SOUTH', 'EAST', 'WEST'].map((code) => [code, 100_000_000]));
    for (const line of readFileSync(csvPath, 'utf8').trim().split('\n').slice(1)) {
      const [, debtor, creditor, amount] = line.split(',');
      const minor = Math.round(Number(amount) * 100);
      expected.set(debtor, expected.get(debtor)! - minor);
      expected.set(creditor, expected.get(creditor)! + minor);
    }
    for (const [code, balanceMinor] of expected) expect(engine.store.state.accounts.get(code)!.balanceMinor).toBe(balanceMinor);
    const report = engine.verify();
    expect(report.problems).toEqual([]);
    await engine.close();
  }, 240_000);
});
