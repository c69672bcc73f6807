/**
 * A child process for the batch crash test: opens a ledger and processes one
 * batch file in small chunks, resuming the batch when an earlier run was
 * killed. Prints READY once the batch runs, CHUNK as each chunk becomes
 * durable, and DONE when it has completed. The parent kills it with SIGKILL
 * at random moments, counted in chunks so that the kills land mid-batch on a
 * fast machine and a slow one alike.
 */
import { batchService } from '../../electron/core/batch/batch-handlers';
import { Engine } from '../../electron/core/engine';

const [ledgerPath, csvPath, chunkRowsText] = process.argv.slice(2);

const engine = await Engine.open(ledgerPath, { create: true });
const service = batchService(engine);
service.chunkRows = Number(chunkRowsText);
if (!engine.store.state.accounts.has('NORTH')) {
  for (const code of ['NORTH', 'SOUTH', 'EAST', 'WEST']) {
    await engine.invoke('account-create', { code, name: code, currency: 'EUR', openingBalance: '1000000.00' });
  }
}
let batch = service.list()[0];
if (batch === undefined) {
  const fileId = await service.importFromDisk(csvPath, 'crash.csv');
  const preview = await service.inspect({ fileId });
  if (!preview.ok) throw new Error(preview.message);
  const validation = await service.validate({ fileId, mapping: preview.value.suggestedMapping });
  if (!validation.ok) throw new Error(validation.message);
  batch = validation.value.batch;
}
const started = batch.status === 'validated' ? await service.start(batch.batchId) : batch.status === 'interrupted' ? await service.resume(batch.batchId) : null;
if (started !== null && !started.ok) throw new Error(started.message);
service.onDurableChunk(batch.batchId, () => process.stdout.write('CHUNK\n'));
process.stdout.write('READY\n');
const summary = await service.whenStopped(batch.batchId);
process.stdout.write(`${summary.status === 'completed' ? 'DONE' : `STOPPED ${summary.status}`}\n`);
await engine.close();
