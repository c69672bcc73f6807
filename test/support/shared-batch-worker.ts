/**
 * One desk running a batch on a shared ledger, as a real process, for the
 * shared batch tests (test/integration/shared-batch.test.ts):
 *
 *   shared-batch-worker.ts URL start FILE.csv CHUNK_ROWS   imports, validates and starts the file as a batch
 *   shared-batch-worker.ts URL resume BATCH_ID CHUNK_ROWS  resumes a batch another desk left
 *
 * It prints `BATCH <id>` once the batch runs, `CHUNK <rowsDone>` as each chunk
 * becomes durable (stdout on a pipe is synchronous on Linux: printed means in
 * the pipe), then `DONE` or `STOPPED <status>`; a refusal prints
 * `REFUSED <code> <sentence>`. The parent gives each desk a HOME of its own, so
 * desks share nothing but the database.
 */
import { batchService } from '../../electron/core/batch/batch-handlers';
import { Engine } from '../../electron/core/engine';

const [url, mode, target, chunkRowsText] = process.argv.slice(2);

const engine = await Engine.open(url, { liveUpdates: false });
const service = batchService(engine);
service.chunkRows = Number(chunkRowsText);

async function startFile(filePath: string): Promise<string | null> {
  const fileId = await service.importFromDisk(filePath, 'shared.csv');
  const preview = await engine.invoke('batch-inspect', { fileId });
  if (!preview.ok) throw new Error(preview.message);
  const validation = await engine.invoke('batch-validate', { fileId, mapping: preview.value.suggestedMapping });
  if (!validation.ok) throw new Error(validation.message);
  const batchId = validation.value.batch.batchId;
  const started = await engine.invoke('batch-start', { batchId });
  return started.ok ? batchId : refused(started);
}

function refused(failure: { code: string; message: string }): null {
  process.stdout.write(`REFUSED ${failure.code} ${failure.message}\n`);
  return null;
}

async function resume(batchId: string): Promise<string | null> {
  const resumed = await engine.invoke('batch-resume', { batchId });
  return resumed.ok ? batchId : refused(resumed);
}

const batchId = mode === 'start' ? await startFile(target) : await resume(target);
if (batchId !== null) {
  service.onDurableChunk(batchId, () => {
    const rowsDone = service.get(batchId);
    process.stdout.write(`CHUNK ${rowsDone.ok ? rowsDone.value.rowsDone : '?'}\n`);
  });
  process.stdout.write(`BATCH ${batchId}\n`);
  const summary = await service.whenStopped(batchId);
  process.stdout.write(`${summary.status === 'completed' ? 'DONE' : `STOPPED ${summary.status}`}\n`);
}
await engine.close();
