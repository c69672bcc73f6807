import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { batchFilePath } from '../../electron/core/batch/batch-files';
import { Engine } from '../../electron/core/engine';
import { batchFilePartBytes } from '../../electron/core/storage/postgres-batches';
import { generateBatch } from '../../scripts/generate-batch';
import { newSharedLedger, postgresTestsRun } from '../support/postgres';
import { paydeskBin, runMain } from '../support/run-cli';
import { useTempFolder } from '../support/temp-folder';

/**
 * Batches on a shared ledger (PostgreSQL), with real processes: a desk killed
 * with SIGKILL in the middle of a batch, resumed by another desk that never saw
 * the file (the desks have separate home folders; the file comes from
 * PostgreSQL); and a desk refused while the batch runs on a live desk.
 */
const newFolder = useTempFolder('paydesk-shared-batch-');
const workerPath = path.join(import.meta.dirname, '../support/shared-batch-worker.ts');
const accounts = ['NORTH', 'SOUTH', 'EAST', 'WEST'];

interface Desk {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line (from now on, or already printed) the predicate accepts. */
  line: (predicate: (line: string) => boolean) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDesk(home: string, args: string[]): Desk {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HOME: home },
  });
  const lines: string[] = [];
  const waiting = new Set<{ predicate: (line: string) => boolean; resolve: (line: string) => void }>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiting) if (waiter.predicate(line)) (waiting.delete(waiter), waiter.resolve(line));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const line = (predicate: (line: string) => boolean) => {
    const found = lines.find(predicate);
    return found !== undefined ? Promise.resolve(found) : new Promise<string>((resolve) => waiting.add({ predicate, resolve }));
  };
  return { child, lines, line, exited };
}

/** `paydesk ...` as a real process (the shipped command line) with a home folder of its own. */
function paydesk(home: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [paydeskBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const sharedLedgerWithAccounts = () => newSharedLedger(accounts, '1000000.00');

/** A generated file of `rows` valid rows, then two rows that fail validation (an unknown account, an unreadable amount). */
async function batchFile(folder: string, rows: number, prefix: string): Promise<string> {
  const filePath = path.join(folder, 'shared.csv');
  await generateBatch(filePath, rows, 7, prefix, accounts);
  appendFileSync(filePath, `${prefix}-bad-1,NORTH,NOWHERE,1.00,EUR,unknown creditor\n${prefix}-bad-2,NORTH,SOUTH,lots,EUR,unreadable amount\n`);
  return filePath;
}

/** Imports and validates the file on `desk` as the UI does, starts it in chunks of 100 rows, and resolves once its first chunk is durable. */
async function runningInChunksOf100(desk: Engine, filePath: string): Promise<{ service: ReturnType<typeof batchService>; batchId: string }> {
  const service = batchService(desk);
  service.chunkRows = 100;
  const fileId = await service.importFromDisk(filePath, path.basename(filePath));
  const preview = await desk.invoke('batch-inspect', { fileId });
  if (!preview.ok) throw new Error(preview.message);
  const validation = await desk.invoke('batch-validate', { fileId, mapping: preview.value.suggestedMapping });
  if (!validation.ok) throw new Error(validation.message);
  const batchId = validation.value.batch.batchId;
  const firstChunk = new Promise<void>((resolve) => service.onDurableChunk(batchId, () => resolve()));
  const started = await desk.invoke('batch-start', { batchId });
  if (!started.ok) throw new Error(started.message);
  await firstChunk;
  return { service, batchId };
}

interface BatchState {
  id: string; status: string; rows_total: number; rows_valid: number; rows_done: number; accepted: number; rejected: number; skipped: number;
}

/** Every valid row paid exactly once (by line and by payment id, in the ledger and in PostgreSQL), balances sum to zero, verify holds. */
async function checkPaidOnce(url: string, batchId: string, validRows: number, prefix: string): Promise<BatchState> {
  const engine = await Engine.open(url, { liveUpdates: false });
  try {
    const database = engine.store.database;
    const count = (sql: string) => Number(database.value(sql, [batchId]));
    expect(count('SELECT COUNT(*) FROM payments WHERE batch_id = ?')).toBe(validRows);
    expect(count('SELECT COUNT(DISTINCT line) FROM payments WHERE batch_id = ?')).toBe(validRows);
    expect(count('SELECT COUNT(DISTINCT payment_id) FROM payments WHERE batch_id = ?')).toBe(validRows);
    expect(database.get('SELECT MIN(line) AS first, MAX(line) AS last FROM payments WHERE batch_id = ?', [batchId])).toEqual({ first: 2, last: validRows + 1 });
    expect(count("SELECT COUNT(*) FROM payments WHERE batch_id = ? AND status = 1")).toBe(validRows);
    const sums = database.all<{ currency: string; total: number }>('SELECT currency, SUM(balance_minor) AS total FROM accounts GROUP BY currency');
    for (const sum of sums) expect(sum.total, sum.currency).toBe(0);
    expect(engine.verify()).toMatchObject({ ok: true, problems: [] });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const ids = await client.query<{ count: string }>('SELECT COUNT(*)::text AS count FROM paydesk_payments WHERE payment_id LIKE $1', [`${prefix}-%`]);
    await client.end();
    expect(Number(ids.rows[0].count)).toBe(validRows);
    return database.get<BatchState>('SELECT * FROM batches WHERE id = ?', [batchId])!;
  } finally {
    await engine.close();
  }
}

/** The rows of every batch file the shared ledger keeps: header rows and parts. */
async function keptFiles(url: string): Promise<{ files: number; parts: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const kept = await client.query<{ files: number; parts: number }>(
      'SELECT (SELECT COUNT(*) FROM paydesk_batch_files)::int AS files, (SELECT COUNT(*) FROM paydesk_batch_file_parts)::int AS parts',
    );
    return kept.rows[0];
  } finally {
    await client.end();
  }
}

/**
 * Runs a desk until it has reported `chunks` durable chunks, then kills it with SIGKILL `delayMs` later; its home
 * folder (its copy of the batch file) goes with it, as with a desk whose machine is gone.
 */
async function killedMidBatch(home: string, args: string[], chunks: number, delayMs: number) {
  const desk = startDesk(home, args);
  const batchId = (await desk.line((line) => line.startsWith('BATCH '))).slice(6);
  await desk.line((line) => line.startsWith('CHUNK ') && desk.lines.filter((seen) => seen.startsWith('CHUNK ')).length >= chunks);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  desk.child.kill('SIGKILL');
  expect((await desk.exited).signal).toBe('SIGKILL');
  expect(desk.lines).not.toContain('DONE');
  const copies = batchFileCopies(home);
  rmSync(home, { recursive: true, force: true });
  return { desk, batchId, copies };
}

/** The batch files in a desk's shared-ledger batch folder. */
function batchFileCopies(home: string): number {
  const folder = path.join(home, '.paydesk', 'shared-ledger-batches');
  return existsSync(folder) ? readdirSync(folder, { recursive: true }).filter((name) => String(name).endsWith('.csv')).length : 0;
}

/** A batch left running by a desk that is gone: shown interrupted, part-way, its committed progress counting exactly its payments. */
async function interruptedState(url: string, batchId: string): Promise<BatchState> {
  const look = await Engine.open(url, { liveUpdates: false });
  try {
    const left = look.store.database.get<BatchState>('SELECT * FROM batches WHERE id = ?', [batchId])!;
    expect(left.status).toBe('running');
    expect(left.rows_done).toBeGreaterThan(0);
    expect(left.rows_done).toBeLessThan(left.rows_total);
    expect(Number(look.store.database.value('SELECT COUNT(*) FROM payments WHERE batch_id = ?', [batchId]))).toBe(left.accepted + left.rejected);
    expect(await look.invoke('batch-get', { batchId })).toMatchObject({ ok: true, value: { status: 'interrupted' } });
    return left;
  } finally {
    await look.close();
  }
}

describe.runIf(postgresTestsRun())('batches on a shared ledger, across desks', () => {
  it('paydesk batch --db postgres://… runs a file, and the file kept in PostgreSQL for it is dropped once it completes', async () => {
    const url = await sharedLedgerWithAccounts();
    const filePath = await batchFile(newFolder(), 500, 'c');
    const run = await runMain(['batch', '--db', url, filePath, '--json']);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 502, valid: 500, invalid: 2, accepted: 500 });
    const engine = await Engine.open(url, { liveUpdates: false });
    const batch = engine.store.database.get<{ id: string; file_hash: string }>('SELECT id, file_hash FROM batches')!;
    await engine.close();
    // Kept while the batch could run (the validation test below sees it), gone once no batch of those bytes can run any more.
    expect(await keptFiles(url)).toEqual({ files: 0, parts: 0 });
    await checkPaidOnce(url, batch.id, 500, 'c');
  }, 60_000);

  it("validating a large file leaves the ledger's turn to other desks: a payment on desk B completes before desk A's validation", async () => {
    const url = await sharedLedgerWithAccounts();
    const validRows = 200_000;
    const filePath = await batchFile(newFolder(), validRows, 'v');
    const deskA = await Engine.open(url, { liveUpdates: false });
    const deskB = await Engine.open(url, { liveUpdates: false });
    const service = batchService(deskA);
    const fileId = await service.importFromDisk(filePath, 'shared.csv');
    const preview = await deskA.invoke('batch-inspect', { fileId });
    if (!preview.ok) throw new Error(preview.message);
    const completed: string[] = [];
    const holdsBefore = deskA.store.sharedTurnStats!.holds;
    const validating = deskA.invoke('batch-validate', { fileId, mapping: preview.value.suggestedMapping }).then((validation) => {
      completed.push('validation on desk A');
      return validation;
    });
    // Desk B pays only once desk A has taken the turn for its request: before the change, A held it until the batch was recorded.
    while (deskA.store.sharedTurnStats!.holds === holdsBefore) await new Promise((resolve) => setImmediate(resolve));
    const payment = await deskB.invoke('payment-submit', { paymentId: 'v-desk-b', debtor: 'NORTH', creditor: 'SOUTH', amount: '1.00', currency: 'EUR' });
    completed.push('payment on desk B');
    const validation = await validating;
    expect(payment).toMatchObject({ ok: true, value: { status: 'accepted' } });
    expect(validation).toMatchObject({ ok: true, value: { batch: { rows: validRows + 2, valid: validRows, invalid: 2 } } });
    expect(completed).toEqual(['payment on desk B', 'validation on desk A']);
    // The batch record names a file PostgreSQL already holds, and desk B, catching up, sees both.
    const { batchId, fileHash } = validation.ok ? validation.value.batch : { batchId: '', fileHash: '' };
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const kept = await client.query('SELECT size_bytes::text AS size, parts FROM paydesk_batch_files WHERE file_hash = $1', [fileHash]);
    await client.end();
    const sizeBytes = statSync(filePath).size;
    expect(kept.rows).toEqual([{ size: String(sizeBytes), parts: Math.ceil(sizeBytes / batchFilePartBytes) }]);
    expect(await deskB.invoke('batch-get', { batchId })).toMatchObject({ ok: true, value: { status: 'validated', rows: validRows + 2 } });
    // The record was committed in a turn of its own, still audited once under the request that asked for it.
    const audited = deskB.store.database.rows("SELECT actor, action FROM audit WHERE action = 'batch-validate'");
    expect(audited).toEqual([['cli', 'batch-validate']]);
    await deskA.close();
    await deskB.close();
  }, 120_000);

  it('a desk without the file refuses a batch whose kept file is damaged or missing in PostgreSQL, and changes nothing', async () => {
    const url = await sharedLedgerWithAccounts();
    const filePath = await batchFile(newFolder(), 300, 'd');
    const engine = await Engine.open(url, { liveUpdates: false });
    const fileId = await batchService(engine).importFromDisk(filePath, 'shared.csv');
    const preview = await engine.invoke('batch-inspect', { fileId });
    if (!preview.ok) throw new Error(preview.message);
    const validation = await engine.invoke('batch-validate', { fileId, mapping: preview.value.suggestedMapping });
    if (!validation.ok) throw new Error(validation.message);
    const { batchId, fileHash } = validation.value.batch;
    // This desk's copy is gone, so the batch's file must come from PostgreSQL.
    rmSync(String(engine.store.database.value('SELECT file_path FROM batches WHERE id = ?', [batchId])));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("UPDATE paydesk_batch_file_parts SET bytes = overlay(bytes placing '9' from 40 for 1) WHERE file_hash = $1", [fileHash]);
      expect(await engine.invoke('batch-start', { batchId })).toMatchObject({ ok: false, code: 'FF01', message: expect.stringContaining('does not match') });
      await client.query('DELETE FROM paydesk_batch_files WHERE file_hash = $1', [fileHash]);
      expect(await engine.invoke('batch-start', { batchId })).toMatchObject({ ok: false, code: 'FF01', message: expect.stringContaining('not in the shared') });
    } finally {
      await client.end();
    }
    expect(await engine.invoke('batch-get', { batchId })).toMatchObject({ ok: true, value: { status: 'validated', rowsDone: 0 } });
    expect(Number(engine.store.database.value('SELECT COUNT(*) FROM payments WHERE batch_id = ?', [batchId]))).toBe(0);
    const copies = readdirSync(path.dirname(batchFilePath(url, 'x')));
    expect(copies.filter((name) => name.startsWith('shared-'))).toEqual([]);
    await engine.close();
  }, 60_000);

  it('keeps nothing of a file whose bytes do not hash to the hash it is kept under', async () => {
    const url = await sharedLedgerWithAccounts();
    const filePath = await batchFile(newFolder(), 10, 'h');
    const engine = await Engine.open(url, { liveUpdates: false });
    const wrongHash = '0'.repeat(64);
    await expect(engine.store.sharedBatches!.keepFile(wrongHash, filePath)).rejects.toThrow('changed while it was being kept');
    await engine.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const kept = await client.query(
      'SELECT (SELECT COUNT(*) FROM paydesk_batch_file_parts WHERE file_hash = $1)::int AS parts, (SELECT COUNT(*) FROM paydesk_batch_files)::int AS files',
      [wrongHash],
    );
    await client.end();
    expect(kept.rows).toEqual([{ parts: 0, files: 0 }]);
  }, 60_000);

  it('a desk closing while its batch runs stops the batch with it and lets its claim go: another desk resumes it to the end', async () => {
    const url = await sharedLedgerWithAccounts();
    const filePath = await batchFile(newFolder(), 20_000, 'q');
    const deskA = await Engine.open(url, { liveUpdates: false });
    const { service, batchId } = await runningInChunksOf100(deskA, filePath);
    await deskA.close();
    await expect(service.whenStopped(batchId)).rejects.toThrow('the ledger is closed');

    const deskB = await Engine.open(url, { liveUpdates: false });
    batchService(deskB).chunkRows = 5_000;
    expect(await deskB.invoke('batch-get', { batchId })).toMatchObject({ ok: true, value: { status: 'interrupted' } });
    expect(await deskB.invoke('batch-resume', { batchId })).toMatchObject({ ok: true });
    expect(await batchService(deskB).whenStopped(batchId)).toMatchObject({ status: 'completed', accepted: 20_000 });
    await deskB.close();
    await checkPaidOnce(url, batchId, 20_000, 'q');
  }, 60_000);

  it('desks killed with SIGKILL mid-batch: the next desk, without the file, resumes it and every valid row is paid exactly once', async () => {
    const url = await sharedLedgerWithAccounts();
    const validRows = 20_000;
    const filePath = await batchFile(newFolder(), validRows, 'k');
    // Desk A starts the batch and is killed after 5 durable chunks; desk B resumes it and is killed a few
    // milliseconds after its 3rd (likely in the middle of a chunk's commit); desk C resumes it to the end.
    const deskA = await killedMidBatch(newFolder(), [url, 'start', filePath, '100'], 5, 0);
    const batchId = deskA.batchId;
    let left = await interruptedState(url, batchId);
    for (const [index, kill] of [[3, 4], null].entries()) {
      const home = newFolder();
      const args = [url, 'resume', batchId, '100'];
      const killed = kill === null ? null : await killedMidBatch(home, args, kill[0], kill[1]);
      const desk = killed?.desk ?? startDesk(home, args);
      if (killed === null) {
        expect(await desk.exited).toEqual({ code: 0, signal: null });
        expect(desk.lines).toContain('DONE');
      }
      // The desk read the file from PostgreSQL (the earlier desks' homes are gone): its own batch folder holds the copy,
      // until the batch completes there and the desk removes it.
      expect(killed?.copies ?? batchFileCopies(home), `desk ${index}`).toBe(kill === null ? 0 : 1);
      // It started after the rows the last committed chunk counted.
      expect(Number(desk.lines.find((line) => line.startsWith('CHUNK '))!.slice(6))).toBeGreaterThan(left.rows_done);
      if (kill !== null) left = await interruptedState(url, batchId);
    }

    const batch = await checkPaidOnce(url, batchId, validRows, 'k');
    expect(batch).toMatchObject({ status: 'completed', rows_total: validRows + 2, rows_done: validRows + 2, accepted: validRows, skipped: 2 });
    expect(await keptFiles(url)).toEqual({ files: 0, parts: 0 });
  }, 240_000);

  it('while a batch runs on a live desk, another desk is refused its resume, and its pause reaches the running desk through the log', async () => {
    const url = await sharedLedgerWithAccounts();
    const validRows = 100_000;
    const filePath = await batchFile(newFolder(), validRows, 'r');
    const deskA = startDesk(newFolder(), [url, 'start', filePath, '100']);
    const batchId = (await deskA.line((line) => line.startsWith('BATCH '))).slice(6);
    await deskA.line((line) => line.startsWith('CHUNK '));

    const deskB = await Engine.open(url, { liveUpdates: false });
    const listed = await deskB.invoke('batch-list', {});
    const resumed = await deskB.invoke('batch-resume', { batchId });
    const paused = await deskB.invoke('batch-pause', { batchId });
    await deskB.close();
    // The answers prove something only if desk A was still running when they were given.
    expect(deskA.lines, 'desk A finished before desk B asked: use more rows').not.toContain('DONE');
    expect(listed).toMatchObject({ ok: true, value: [{ batchId, status: 'running' }] });
    expect(resumed).toMatchObject({ ok: false, code: 'BATCH_ELSEWHERE', message: expect.stringContaining('running on another desk') });
    expect(paused).toMatchObject({ ok: true, value: { batchId, status: 'running', problem: expect.stringContaining('Pause was sent to the desk') } });

    // Desk A stops after its chunk in flight, as if paused there; then desk C, the command line, resumes it to the end.
    expect(await deskA.exited).toEqual({ code: 0, signal: null });
    expect(deskA.lines).toContain('STOPPED paused');
    const deskC = await paydesk(newFolder(), ['batch', '--db', url, '--resume', batchId, '--json']);
    // Exit 1, as for the whole file: the two invalid rows were not paid.
    expect(deskC).toMatchObject({ code: 1, stderr: '' });
    expect(JSON.parse(deskC.stdout)).toMatchObject({ batchId, status: 'completed', accepted: validRows, skipped: 2 });
    const batch = await checkPaidOnce(url, batchId, validRows, 'r');
    expect(batch).toMatchObject({ status: 'completed', rows_done: validRows + 2, accepted: validRows, skipped: 2 });
  }, 240_000);

  it('the desk that runs a batch pauses and cancels it itself: each answer comes once the run has stopped', async () => {
    const url = await sharedLedgerWithAccounts();
    const engine = await Engine.open(url, { liveUpdates: false });
    try {
      const { batchId } = await runningInChunksOf100(engine, await batchFile(newFolder(), 20_000, 'own'));
      // Before the fix the pause waited for the run in the request's turn while the run waited for a turn: no answer, ever.
      const paused = await engine.invoke('batch-pause', { batchId });
      expect(paused).toMatchObject({ ok: true, value: { batchId, status: 'paused' } });
      expect(await engine.invoke('batch-resume', { batchId })).toMatchObject({ ok: true, value: { status: 'running' } });
      const cancelled = await engine.invoke('batch-cancel', { batchId });
      expect(cancelled).toMatchObject({ ok: true, value: { batchId, status: 'cancelled' } });
      if (cancelled.ok) expect(cancelled.value.rowsDone).toBeLessThan(cancelled.value.rows);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('a cancel asked from another desk stops the batch on the desk that runs it, the rows already paid paid once', async () => {
    const url = await sharedLedgerWithAccounts();
    const filePath = await batchFile(newFolder(), 100_000, 'x');
    const deskA = startDesk(newFolder(), [url, 'start', filePath, '100']);
    const batchId = (await deskA.line((line) => line.startsWith('BATCH '))).slice(6);
    await deskA.line((line) => line.startsWith('CHUNK '));
    const deskB = await Engine.open(url, { liveUpdates: false });
    expect(await deskB.invoke('batch-cancel', { batchId })).toMatchObject({ ok: true, value: { status: 'running' } });
    await deskB.close();
    expect(await deskA.exited).toEqual({ code: 0, signal: null });
    expect(deskA.lines).toContain('STOPPED cancelled');
    // The desk that committed the cancel dropped the file kept for the batch.
    expect(await keptFiles(url)).toEqual({ files: 0, parts: 0 });

    const engine = await Engine.open(url, { liveUpdates: false });
    const database = engine.store.database;
    const batch = database.get<BatchState>('SELECT * FROM batches WHERE id = ?', [batchId])!;
    expect(batch.status).toBe('cancelled');
    expect(batch.rows_done).toBeLessThan(batch.rows_total);
    const paid = Number(database.value('SELECT COUNT(DISTINCT line) FROM payments WHERE batch_id = ?', [batchId]));
    expect(paid).toBe(batch.rows_done);
    expect(paid).toBe(batch.accepted + batch.rejected);
    expect(Number(database.value('SELECT COUNT(*) FROM batch_stop_requests'))).toBe(0);
    expect(await engine.invoke('batch-resume', { batchId })).toMatchObject({ ok: false, code: 'FF01' });
    expect(engine.verify()).toMatchObject({ ok: true, problems: [] });
    await engine.close();
  }, 240_000);
});
