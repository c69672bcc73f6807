import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { batchFilePath } from '../../electron/core/batch/batch-files';
import { Engine } from '../../electron/core/engine';
import { newSharedLedger, postgresTestsRun } from '../support/postgres';
import { withOperators } from '../support/operators';
import { useTempFolder } from '../support/temp-folder';

/**
 * What becomes of a batch file kept in a shared ledger (PostgreSQL) once its
 * batch ends (issue 17): dropped when no batch that can still run names the
 * same bytes, and the copy a desk fetched removed from its batch folder; kept
 * while a batch of those bytes is paused or waiting. Desks are engines in this
 * process on one throwaway database; HOME is a fresh folder per test, so the
 * batch folders are too.
 */
const newFolder = useTempFolder('paydesk-shared-files-');
const accounts = ['NORTH', 'SOUTH'];

const sharedLedgerWithAccounts = () => newSharedLedger(accounts, '1000.00');

/** A batch file: `badRows` rows to an unknown account first (refused when run), then `goodRows` payable rows. */
function batchFile(prefix: string, goodRows: number, badRows = 0): string {
  const lines = ['paymentId,debtor,creditor,amount,currency,reference'];
  for (let index = 0; index < badRows; index++) lines.push(`${prefix}-bad-${index},NORTH,NOWHERE,1.00,EUR,unknown creditor`);
  for (let index = 0; index < goodRows; index++) lines.push(`${prefix}-${index},NORTH,SOUTH,1.00,EUR,row ${index}`);
  const filePath = path.join(newFolder(), `${prefix}.csv`);
  writeFileSync(filePath, `${lines.join('\n')}\n`);
  return filePath;
}

/** Imports and validates the file on `desk`; the batch's id, hash and this desk's imported copy. */
async function validated(desk: Engine, filePath: string) {
  const fileId = await batchService(desk).importFromDisk(filePath, path.basename(filePath));
  const preview = await desk.invoke('batch-inspect', { fileId });
  if (!preview.ok) throw new Error(preview.message);
  const validation = await desk.invoke('batch-validate', { fileId, mapping: preview.value.suggestedMapping });
  if (!validation.ok) throw new Error(validation.message);
  const { batchId, fileHash } = validation.value.batch;
  return { batchId, fileHash, importedPath: batchFilePath(desk.ledgerPath, fileId) };
}

/** The rows PostgreSQL keeps of the file with `fileHash`: its header rows and its parts. */
async function keptRows(url: string, fileHash: string): Promise<{ files: number; parts: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const kept = await client.query<{ files: number; parts: number }>(
      `SELECT (SELECT COUNT(*) FROM paydesk_batch_files WHERE file_hash = $1)::int AS files,
              (SELECT COUNT(*) FROM paydesk_batch_file_parts WHERE file_hash = $1)::int AS parts`, [fileHash],
    );
    return kept.rows[0];
  } finally {
    await client.end();
  }
}

async function runToEnd(desk: Engine, batchId: string, channel: 'batch-start' | 'batch-resume') {
  const started = await desk.invoke(channel, { batchId });
  if (!started.ok) throw new Error(started.message);
  return batchService(desk).whenStopped(batchId);
}

describe.runIf(postgresTestsRun())('batch files kept in a shared ledger, once their batches end', () => {
  // Batch folders live under HOME: a fresh one per test, and the worker's own given back after the file.
  const homeBefore = process.env.HOME;
  beforeEach(() => {
    process.env.HOME = newFolder();
  });
  afterAll(() => {
    process.env.HOME = homeBefore;
  });

  it('a batch that completes on a desk that fetched its file leaves no rows of it in PostgreSQL and no copy in that desk\'s folder', async () => {
    const url = await sharedLedgerWithAccounts();
    const deskA = await Engine.open(url, { liveUpdates: false });
    const { batchId, fileHash, importedPath } = await validated(deskA, batchFile('c', 30));
    expect(await keptRows(url, fileHash)).toEqual({ files: 1, parts: 1 });
    // Desk B lacks the file (desk A's copy is gone), so it fetches it from PostgreSQL into its folder.
    rmSync(importedPath);
    const deskB = await Engine.open(url, { liveUpdates: false });
    const fetchedPath = batchFilePath(url, `shared-${fileHash}`);
    expect(await deskB.invoke('batch-start', { batchId })).toMatchObject({ ok: true });
    expect(existsSync(fetchedPath)).toBe(true);
    expect(await batchService(deskB).whenStopped(batchId)).toMatchObject({ status: 'completed', accepted: 30 });
    expect(await keptRows(url, fileHash)).toEqual({ files: 0, parts: 0 });
    expect(existsSync(fetchedPath)).toBe(false);
    // The results come from the ledger, not from the file.
    expect(await deskB.invoke('batch-get', { batchId })).toMatchObject({ ok: true, value: { status: 'completed', accepted: 30 } });
    const results = await deskB.invoke('batch-results', { batchId, limit: 100 });
    expect(results.ok && results.value.items.length).toBe(30);
    await deskB.close();
    await deskA.close();
  }, 60_000);

  it('a cancelled batch leaves no rows of its file in PostgreSQL; the file the operator imported stays', async () => {
    const url = await sharedLedgerWithAccounts();
    const desk = await Engine.open(url, { liveUpdates: false });
    const { batchId, fileHash, importedPath } = await validated(desk, batchFile('x', 10));
    expect(await keptRows(url, fileHash)).toEqual({ files: 1, parts: 1 });
    expect(await desk.invoke('batch-cancel', { batchId })).toMatchObject({ ok: true, value: { status: 'cancelled' } });
    expect(await keptRows(url, fileHash)).toEqual({ files: 0, parts: 0 });
    expect(existsSync(importedPath)).toBe(true);
    await desk.close();
  }, 60_000);

  it('an abandoned batch, and a batch an approver rejects, leave no rows of their files in PostgreSQL', async () => {
    const url = await sharedLedgerWithAccounts();
    const desk = await Engine.open(url, { liveUpdates: false });
    const callers = await withOperators(desk, { otto: 'operator', april: 'approver' });
    const abandoned = await validated(desk, batchFile('a', 10));
    expect(await callers.otto.call('batch-abandon', { batchId: abandoned.batchId, reason: 'sent twice' })).toMatchObject({
      ok: true, value: { status: 'abandoned' },
    });
    expect(await keptRows(url, abandoned.fileHash)).toEqual({ files: 0, parts: 0 });

    await callers.admin.call('approval-threshold-set', { currency: 'EUR', amount: '5.00' });
    const held = await validated(desk, batchFile('h', 10));
    expect(await callers.otto.call('batch-start', { batchId: held.batchId })).toMatchObject({ ok: true, value: { status: 'awaiting-approval' } });
    expect(await keptRows(url, held.fileHash)).toEqual({ files: 1, parts: 1 });
    expect(await callers.april.call('batch-approval-reject', { batchId: held.batchId, note: 'no invoices' })).toMatchObject({
      ok: true, value: { batchStatus: 'rejected' },
    });
    expect(await keptRows(url, held.fileHash)).toEqual({ files: 0, parts: 0 });
    await desk.close();
  }, 60_000);

  it('while another batch of the same bytes is not finished the file stays, and goes when that one ends too', async () => {
    const url = await sharedLedgerWithAccounts();
    const filePath = batchFile('s', 10);
    const desk = await Engine.open(url, { liveUpdates: false });
    const first = await validated(desk, filePath);
    const second = await validated(desk, filePath);
    expect(second.fileHash).toBe(first.fileHash);
    expect(await runToEnd(desk, first.batchId, 'batch-start')).toMatchObject({ status: 'completed' });
    expect(await keptRows(url, first.fileHash)).toEqual({ files: 1, parts: 1 });
    expect(await desk.invoke('batch-cancel', { batchId: second.batchId })).toMatchObject({ ok: true, value: { status: 'cancelled' } });
    expect(await keptRows(url, first.fileHash)).toEqual({ files: 0, parts: 0 });
    await desk.close();
  }, 60_000);

  it('copies of files fetched for batches that ended elsewhere leave the desk\'s folder at its first list of batches; a paused batch\'s stays', async () => {
    const url = await sharedLedgerWithAccounts();
    const deskA = await Engine.open(url, { liveUpdates: false });
    const ended = await validated(deskA, batchFile('e', 10));
    expect(await runToEnd(deskA, ended.batchId, 'batch-start')).toMatchObject({ status: 'completed' });
    const service = batchService(deskA);
    service.chunkRows = 5;
    service.failureCheckRows = 5;
    const paused = await validated(deskA, batchFile('q', 20, 5));
    expect(await runToEnd(deskA, paused.batchId, 'batch-start')).toMatchObject({ status: 'paused' });
    await deskA.close();
    // What a desk keeps when it fetched these files for runs that then ended on other desks (or were cut short there),
    // and a copy whose bytes no batch names.
    const copyOf = (fileHash: string) => batchFilePath(url, `shared-${fileHash}`);
    const unnamed = 'f'.repeat(64);
    for (const fileHash of [ended.fileHash, paused.fileHash, unnamed]) writeFileSync(copyOf(fileHash), 'paymentId,debtor\n');

    const deskB = await Engine.open(url, { liveUpdates: false });
    expect(existsSync(copyOf(ended.fileHash))).toBe(true);
    expect(await deskB.invoke('batch-list', {})).toMatchObject({ ok: true });
    expect(existsSync(copyOf(ended.fileHash))).toBe(false);
    expect(existsSync(copyOf(unnamed))).toBe(false);
    expect(existsSync(copyOf(paused.fileHash))).toBe(true);
    // The folder's other files (the imports) are not copies: they stay.
    expect(existsSync(ended.importedPath)).toBe(true);
    await deskB.close();
  }, 60_000);

  it('a paused batch keeps its file, and another desk without the file resumes it to the end', async () => {
    const url = await sharedLedgerWithAccounts();
    const deskA = await Engine.open(url, { liveUpdates: false });
    const service = batchService(deskA);
    // The first chunk's rows all fail, so the run pauses itself to ask (failureRateProblem).
    service.chunkRows = 5;
    service.failureCheckRows = 5;
    const { batchId, fileHash, importedPath } = await validated(deskA, batchFile('p', 20, 5));
    expect(await runToEnd(deskA, batchId, 'batch-start')).toMatchObject({ status: 'paused', rowsDone: 5 });
    expect(await keptRows(url, fileHash)).toEqual({ files: 1, parts: 1 });
    await deskA.close();
    rmSync(importedPath);

    const deskB = await Engine.open(url, { liveUpdates: false });
    expect(await runToEnd(deskB, batchId, 'batch-resume')).toMatchObject({ status: 'completed', accepted: 20, skipped: 5 });
    expect(await keptRows(url, fileHash)).toEqual({ files: 0, parts: 0 });
    expect(existsSync(batchFilePath(url, `shared-${fileHash}`))).toBe(false);
    await deskB.close();
  }, 60_000);

  it('a validation whose file is dropped between its keep and its record stores the file again: the batch can still run elsewhere', async () => {
    const url = await sharedLedgerWithAccounts();
    const filePath = batchFile('r', 10);
    const deskA = await Engine.open(url, { liveUpdates: false });
    const earlier = await validated(deskA, filePath);
    const deskB = await Engine.open(url, { liveUpdates: false });
    // Desk B keeps the bytes (already kept: nothing stored), and before it records its batch desk A's batch of the same bytes ends.
    const shared = deskB.store.sharedBatches!;
    const keepFile = shared.keepFile.bind(shared);
    shared.keepFile = async (fileHash, keptPath) => {
      await keepFile(fileHash, keptPath);
      shared.keepFile = keepFile;
      expect(await deskA.invoke('batch-cancel', { batchId: earlier.batchId })).toMatchObject({ ok: true, value: { status: 'cancelled' } });
      expect(await keptRows(url, fileHash)).toEqual({ files: 0, parts: 0 });
    };
    const later = await validated(deskB, filePath);
    expect(later.fileHash).toBe(earlier.fileHash);
    expect(await keptRows(url, later.fileHash)).toEqual({ files: 1, parts: 1 });
    await deskB.close();
    await deskA.close();
    rmSync(earlier.importedPath);
    rmSync(later.importedPath);

    const deskC = await Engine.open(url, { liveUpdates: false });
    expect(await runToEnd(deskC, later.batchId, 'batch-start')).toMatchObject({ status: 'completed', accepted: 10 });
    expect(await keptRows(url, later.fileHash)).toEqual({ files: 0, parts: 0 });
    await deskC.close();
  }, 60_000);

  it('a drop leaves the parts of a keep under way (no header yet) alone, and a file missing a part is stored again before it is named', async () => {
    const url = await sharedLedgerWithAccounts();
    const desk = await Engine.open(url, { liveUpdates: false });
    const { fileHash, importedPath } = await validated(desk, batchFile('k', 10));
    const shared = desk.store.sharedBatches!;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('DELETE FROM paydesk_batch_files WHERE file_hash = $1', [fileHash]);
      expect(await shared.dropFile(fileHash)).toBe(false);
      expect(await keptRows(url, fileHash)).toEqual({ files: 0, parts: 1 });
      await shared.confirmKept(fileHash, importedPath);
      expect(await keptRows(url, fileHash)).toEqual({ files: 1, parts: 1 });
      await client.query('DELETE FROM paydesk_batch_file_parts WHERE file_hash = $1', [fileHash]);
      await shared.confirmKept(fileHash, importedPath);
      expect(await keptRows(url, fileHash)).toEqual({ files: 1, parts: 1 });
      expect(await shared.fetchFile(fileHash, path.join(newFolder(), 'fetched.csv'))).toBe('fetched');
    } finally {
      await client.end();
    }
    await desk.close();
  }, 60_000);
});
