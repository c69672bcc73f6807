import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { BatchProgressEvent } from '../../shared/batch';
import type { RequestOf } from '../../shared/contract';
import { batchService } from '../../electron/core/batch/batch-handlers';
import { writeResults } from '../../electron/core/batch/batch-results-file';
import { Engine } from '../../electron/core/engine';
import { generateBatch } from '../../scripts/generate-batch';
import { useTempFolder } from '../support/temp-folder';
import { runMain } from '../support/run-cli';

const newFolder = useTempFolder('paydesk-batch-');
const fixture = (name: string) => path.join(import.meta.dirname, '../fixtures/batch', name);

async function openLedger() {
  const folder = newFolder();
  const ledgerPath = path.join(folder, 'ledger.paydesk');
  const engine = await Engine.open(ledgerPath, { create: true });
  const accounts = [['ALICE', 'EUR', '1000.00'], ['BOB', 'EUR', '100.00'], ['CAROL', 'USD', '0'], ['SHUT', 'EUR', '0'], ['FROZEN', 'EUR', '0']];
  for (const [code, currency, openingBalance] of accounts) {
    const created = await engine.invoke('account-create', { code, name: code, currency, openingBalance });
    if (!created.ok) throw new Error(created.message);
  }
  await engine.invoke('account-set-status', { code: 'SHUT', status: 'closed' });
  await engine.invoke('account-set-status', { code: 'FROZEN', status: 'blocked' });
  return { engine, folder, ledgerPath };
}

/** Uploads a file through the channel the page uses, in small chunks. */
async function upload(engine: Engine, filePath: string, chunkChars = 50): Promise<string> {
  const text = readFileSync(filePath, 'utf8');
  let fileId: string | null = null;
  let offset = 0;
  for (let start = 0; start === 0 || start < text.length; start += chunkChars) {
    const request: RequestOf<'batch-upload'> = { fileId, fileName: path.basename(filePath), offset, text: text.slice(start, start + chunkChars) };
    const receipt: Awaited<ReturnType<typeof engine.invoke<'batch-upload'>>> = await engine.invoke('batch-upload', request);
    if (!receipt.ok) throw new Error(receipt.message);
    fileId = receipt.value.fileId;
    offset = receipt.value.bytesReceived;
  }
  return fileId!;
}

async function validated(engine: Engine, filePath: string) {
  const fileId = await upload(engine, filePath);
  const preview = await engine.invoke('batch-inspect', { fileId });
  if (!preview.ok) throw new Error(preview.message);
  const validation = await engine.invoke('batch-validate', { fileId, mapping: preview.value.suggestedMapping });
  if (!validation.ok) throw new Error(validation.message);
  return { fileId, preview: preview.value, validation: validation.value };
}

/** A generated file of `rows` payments between ALICE and BOB, validated as a batch; the service runs it in chunks of `chunkRows`. */
async function generatedBatch(engine: Engine, folder: string, rows: number, seed: number, chunkRows?: number) {
  const filePath = path.join(folder, `generated-${seed}.csv`);
  await generateBatch(filePath, rows, seed, `g${seed}`, ['ALICE', 'BOB']);
  const service = batchService(engine);
  service.chunkRows = chunkRows;
  const { validation } = await validated(engine, filePath);
  return { service, batchId: validation.batch.batchId };
}

const balance = (engine: Engine, code: string) => engine.store.state.accounts.get(code)!.balanceMinor;

describe('batch import and validation', () => {
  it('previews the first rows as read, with line numbers and the suggested mapping', async () => {
    const { engine } = await openLedger();
    const fileId = await upload(engine, fixture('quoted-fields.csv'), 17);
    const preview = await engine.invoke('batch-inspect', { fileId });
    expect(preview.ok && preview.value).toMatchObject({
      delimiter: ',', headers: ['payment_id', 'debtor_account', 'creditor_account', 'amount', 'currency', 'reference'],
      rows: [{ line: 2 }, { line: 3, fields: ['p-2', 'BOB', 'ALICE', '2.50', 'EUR', 'two\nline note'] }, { line: 5 }],
      suggestedMapping: { paymentId: 'payment_id', reference: 'reference' }, sameFileBatches: [],
    });
    await engine.close();
  });

  it('reports every error of the file at once with line, field, value and code, before any money moves', async () => {
    const { engine } = await openLedger();
    await engine.invoke('payment-submit', { paymentId: 'seen-before', debtor: 'ALICE', creditor: 'BOB', amount: '1.00', currency: 'EUR' });
    const before = balance(engine, 'ALICE');
    const { validation } = await validated(engine, fixture('validation-errors.csv'));
    expect(validation.batch).toMatchObject({ rows: 15, valid: 1, invalid: 14, status: 'validated' });
    const byLine = new Map(validation.errors.map((error) => [error.line, error]));
    expect(byLine.get(3)).toMatchObject({ field: 'paymentId', code: 'FF01' });
    expect(byLine.get(4)).toMatchObject({ field: 'paymentId', code: 'FF01', value: 'bad id!' });
    expect(byLine.get(5)).toMatchObject({ field: 'amount', code: 'AM12', value: '1.005' });
    expect(byLine.get(6)).toMatchObject({ field: 'amount', code: 'AM01' });
    expect(byLine.get(7)).toMatchObject({ field: 'currency', code: 'AM03', value: 'ZZZ' });
    expect(byLine.get(8)).toMatchObject({ field: 'currency', code: 'AM03' });
    expect(byLine.get(9)).toMatchObject({ field: 'debtor', code: 'AC01', value: 'NOBODY' });
    expect(byLine.get(10)).toMatchObject({ field: 'creditor', code: 'AC04' });
    expect(byLine.get(11)).toMatchObject({ field: 'creditor', code: 'SAME_ACCOUNT' });
    expect(byLine.get(12)).toMatchObject({ field: 'paymentId', code: 'DUPL', message: expect.stringContaining('line 2') });
    expect(byLine.get(13)).toMatchObject({ field: 'paymentId', code: 'DUPL', message: expect.stringContaining('already in the ledger') });
    expect(byLine.get(14)).toMatchObject({ field: 'amount', code: 'FF01' });
    expect(byLine.get(15)).toMatchObject({ field: 'amount', code: 'AM12' });
    expect(byLine.get(16)).toMatchObject({ field: 'debtor', code: 'AC06' });
    expect(validation.errorTotal).toBe(validation.errors.length);
    expect(balance(engine, 'ALICE')).toBe(before);
    await engine.close();
  });

  it('refuses an empty file and a header without rows, recording no batch', async () => {
    const { engine } = await openLedger();
    for (const name of ['header-only.csv']) {
      const fileId = await upload(engine, fixture(name));
      const mapping = { paymentId: 'payment_id', debtor: 'debtor_account', creditor: 'creditor_account', amount: 'amount', currency: 'currency' };
      const validation = await engine.invoke('batch-validate', { fileId, mapping });
      expect(validation).toMatchObject({ ok: false, code: 'FF01' });
    }
    const empty = await upload(engine, fixture('empty.csv'));
    expect(await engine.invoke('batch-inspect', { fileId: empty })).toMatchObject({ ok: false, code: 'FF01', message: expect.stringContaining('empty') });
    expect(await engine.invoke('batch-list', {})).toEqual({ ok: true, value: [] });
    await engine.close();
  });

  it('warns that the same file was imported before, by content hash', async () => {
    const { engine } = await openLedger();
    const first = await validated(engine, fixture('default-lf.csv'));
    const again = await upload(engine, fixture('default-lf.csv'), 1000);
    const preview = await engine.invoke('batch-inspect', { fileId: again });
    expect(preview.ok && preview.value.sameFileBatches.map((batch) => batch.batchId)).toEqual([first.validation.batch.batchId]);
    await engine.close();
  });

  it('maps custom headers by hand and keeps the mapping as a named preset in the ledger', async () => {
    const { engine, ledgerPath } = await openLedger();
    const fileId = await upload(engine, fixture('custom-headers.csv'));
    const mapping = { paymentId: 'Transaktion', debtor: 'Konto A', creditor: 'Konto B', amount: 'Betrag', currency: 'Waehrung' };
    expect(await engine.invoke('batch-validate', { fileId, mapping: {} })).toMatchObject({ ok: false, field: 'mapping' });
    expect(await engine.invoke('batch-validate', { fileId, mapping })).toMatchObject({ ok: true, value: { batch: { valid: 1 } } });
    await engine.invoke('batch-preset-save', { name: 'Bank DE', mapping, delimiter: ',' });
    await engine.close();
    const reopened = await Engine.open(ledgerPath, { create: true });
    expect(await reopened.invoke('batch-preset-list', {})).toMatchObject({ ok: true, value: [{ name: 'Bank DE', mapping, delimiter: ',' }] });
    await reopened.close();
  });
});

describe('batch processing', () => {
  it('pays the valid rows in durable chunks, reports progress and a summary, and lists results in file order', async () => {
    const { engine } = await openLedger();
    const events: BatchProgressEvent[] = [];
    engine.on('batch-progress', (event) => events.push(event));
    await engine.invoke('payment-submit', { paymentId: 'seen-before', debtor: 'ALICE', creditor: 'BOB', amount: '1.00', currency: 'EUR' });
    const { validation } = await validated(engine, fixture('validation-errors.csv'));
    const batchId = validation.batch.batchId;
    await engine.invoke('batch-start', { batchId });
    const summary = await batchService(engine).whenStopped(batchId);
    // PSR = Ns / Nt over every row of the file: one paid of fifteen.
    expect(summary).toMatchObject({ status: 'completed', rows: 15, rowsDone: 15, accepted: 1, rejected: 0, skipped: 14, psr: 1 / 15 });
    expect(summary.reasons).toMatchObject({ DUPL: 2, AC01: 1 });
    expect(summary.pltP50Us).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ batchId, status: 'completed', rowsDone: 15, accepted: 1 });
    const results = await engine.invoke('batch-results', { batchId });
    const items = results.ok ? results.value.items : [];
    expect(items[0]).toMatchObject({ paymentId: 'ok-1', line: 2, status: 'accepted', refused: false, channel: 'batch', batchId });
    expect(items.map((item) => item.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(items.slice(1).every((item) => item.status === 'rejected' && item.refused)).toBe(true);
    expect(items[1]).toMatchObject({ paymentId: '', code: 'FF01', message: 'Payment id is required.' });
    expect(items[3]).toMatchObject({ paymentId: 'e-4', amountMinor: null, amountText: '1.005', code: 'AM12' });
    expect(items[7]).toMatchObject({ paymentId: 'e-8', debtor: 'NOBODY', amountMinor: 100, code: 'AC01' });
    expect(items[10]).toMatchObject({ paymentId: 'ok-1', line: 12, code: 'DUPL' });
    expect(items.every((item) => item.message.length > 0)).toBe(true);
    expect(engine.verify().ok).toBe(true);
    await engine.close();
  });

  it('lists every row of the file in line order across pages, refused rows with the rejected ones, and counts them in the metrics', async () => {
    const { engine, folder } = await openLedger();
    await engine.invoke('payment-submit', { paymentId: 'seen-before', debtor: 'ALICE', creditor: 'BOB', amount: '1.00', currency: 'EUR' });
    const { validation } = await validated(engine, fixture('validation-errors.csv'));
    const batchId = validation.batch.batchId;
    batchService(engine).chunkRows = 4;
    await engine.invoke('batch-start', { batchId });
    await batchService(engine).whenStopped(batchId);
    const lines: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof engine.invoke<'batch-results'>>> = await engine.invoke('batch-results', { batchId, limit: 4, cursor });
      if (!page.ok) throw new Error(page.message);
      lines.push(...page.value.items.map((item) => item.line));
      cursor = page.value.nextCursor;
    } while (cursor !== null);
    expect(lines).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const rejected = await engine.invoke('batch-results', { batchId, status: 'rejected', limit: 100 });
    expect(rejected.ok && rejected.value.items.length).toBe(14);
    const accepted = await engine.invoke('batch-results', { batchId, status: 'accepted' });
    expect(accepted.ok && accepted.value.items.map((item) => item.paymentId)).toEqual(['ok-1']);
    expect(await engine.invoke('batch-results', { batchId, cursor: 'nonsense' })).toMatchObject({ ok: false, code: 'FF01', field: 'cursor' });
    const metrics = await engine.invoke('metrics-batch', { batchId });
    expect(metrics.ok && metrics.value.totals).toMatchObject({ total: 15, succeeded: 1 });
    const resultsPath = path.join(folder, 'results.csv');
    await writeResults(engine.store.database, batchId, resultsPath);
    const written = readFileSync(resultsPath, 'utf8').trim().split('\r\n');
    expect(written).toHaveLength(16);
    expect(written[2]).toBe('3,,ALICE,BOB,100,EUR,missing id,refused,FF01,Payment id is required.');
    await engine.close();
    // Reopened from the journal and the file, the refused rows and their counts come back.
    const reopened = await Engine.open(path.join(folder, 'ledger.paydesk'));
    const again = await reopened.invoke('batch-results', { batchId, limit: 100 });
    expect(again.ok && again.value.items).toHaveLength(15);
    const metricsAgain = await reopened.invoke('metrics-batch', { batchId });
    expect(metricsAgain.ok && metricsAgain.value.totals).toMatchObject({ total: 15, succeeded: 1 });
    await reopened.close();
  });

  it('rejects a row the balance cannot cover with AM04 and keeps it in the results', async () => {
    const { engine, folder } = await openLedger();
    const filePath = path.join(folder, 'overdraft.csv');
    writeFileSync(filePath, 'id,from,to,amount,currency\nx-1,BOB,ALICE,60.00,EUR\nx-2,BOB,ALICE,60.00,EUR\n');
    const { validation } = await validated(engine, filePath);
    await engine.invoke('batch-start', { batchId: validation.batch.batchId });
    const summary = await batchService(engine).whenStopped(validation.batch.batchId);
    expect(summary).toMatchObject({ accepted: 1, rejected: 1, reasons: { AM04: 1 }, psr: 0.5 });
    const rejected = await engine.invoke('batch-results', { batchId: summary.batchId, status: 'rejected' });
    expect(rejected.ok && rejected.value.items).toMatchObject([{ paymentId: 'x-2', line: 3, code: 'AM04' }]);
    await engine.close();
  });

  it('pauses after the chunk in flight, resumes where it stopped, and pays every row exactly once', async () => {
    const { engine, folder } = await openLedger();
    const { service, batchId } = await generatedBatch(engine, folder, 300, 7, 20);
    await engine.invoke('batch-start', { batchId });
    const paused = await engine.invoke('batch-pause', { batchId });
    expect(paused.ok && paused.value.status).toBe('paused');
    expect(paused.ok && paused.value.rowsDone).toBeLessThan(300);
    expect(paused.ok && paused.value.rowsDone % 20).toBe(0);
    expect(await engine.invoke('batch-resume', { batchId })).toMatchObject({ ok: true, value: { status: 'running' } });
    const summary = await service.whenStopped(batchId);
    expect(summary).toMatchObject({ status: 'completed', rowsDone: 300 });
    expect(summary.accepted + summary.rejected).toBe(300);
    expect(Number(engine.store.database.value('SELECT COUNT(*) FROM payments WHERE batch_id = ?', [batchId]))).toBe(300);
    expect(engine.verify().ok).toBe(true);
    await engine.close();
  });

  it('stops a batch running when its ledger closes, touching nothing of the closed database, and resumes it after reopening', async () => {
    const { engine, folder, ledgerPath } = await openLedger();
    const { service, batchId } = await generatedBatch(engine, folder, 3_000, 9, 20);
    const firstChunk = new Promise<void>((resolve) => engine.on('batch-progress', (event: BatchProgressEvent) => event.rowsDone > 0 && resolve()));
    const errors = vi.spyOn(console, 'error');
    // Watched, not replaced: every query goes through statement(); those asked once the store is closed are counted.
    const database = engine.store.database;
    const statement = database.statement.bind(database);
    let queriesWhileClosed = 0;
    vi.spyOn(database, 'statement').mockImplementation((sql) => ((queriesWhileClosed += engine.store.isClosed ? 1 : 0), statement(sql)));
    try {
      await engine.invoke('batch-start', { batchId });
      await firstChunk;
      await engine.close();
      await expect(service.whenStopped(batchId)).rejects.toThrow('the ledger is closed');
      // The run ended with its ledger: no chunk was decided on the closed database (sql.js answered those with "out of memory").
      expect(queriesWhileClosed).toBe(0);
      expect(errors.mock.calls.map((call) => String(call[0]))).toEqual([]);
    } finally {
      vi.restoreAllMocks();
    }
    const reopened = await Engine.open(ledgerPath);
    batchService(reopened).chunkRows = 500;
    const left = await reopened.invoke('batch-get', { batchId });
    expect(left).toMatchObject({ ok: true, value: { status: 'interrupted' } });
    expect(left.ok && left.value.rowsDone).toBeLessThan(3_000);
    expect(await reopened.invoke('batch-resume', { batchId })).toMatchObject({ ok: true });
    expect(await batchService(reopened).whenStopped(batchId)).toMatchObject({ status: 'completed', rowsDone: 3_000 });
    expect(Number(reopened.store.database.value('SELECT COUNT(DISTINCT line) FROM payments WHERE batch_id = ?', [batchId]))).toBe(3_000);
    expect(reopened.verify().ok).toBe(true);
    await reopened.close();
  });

  it('streams the results file as chunks become durable, byte for byte what the ledger holds, and rewrites it when it missed chunks', async () => {
    const { engine, folder } = await openLedger();
    const { service, batchId } = await generatedBatch(engine, folder, 200, 9, 15);
    // BOB is emptied, so his first rows are rejected with AM04 and its sentence.
    await engine.invoke('payment-submit', { paymentId: 'drain', debtor: 'BOB', creditor: 'ALICE', amount: '100.00', currency: 'EUR' });
    await engine.invoke('batch-start', { batchId });
    const streamed = service.streamResults(batchId, path.join(folder, 'streamed.csv'));
    const paused = await engine.invoke('batch-pause', { batchId });
    expect(paused.ok && paused.value.rowsDone).toBeLessThan(200);
    // Single payments take seqs between the batch's chunks.
    for (let index = 0; index < 3; index++) {
      await engine.invoke('payment-submit', { paymentId: `single-${index}`, debtor: 'ALICE', creditor: 'BOB', amount: '0.01', currency: 'EUR' });
    }
    // A writer that starts on the resumed run has missed the first chunks: it must fall back to the ledger.
    const late = service.streamResults(batchId, path.join(folder, 'late.csv'));
    await engine.invoke('batch-resume', { batchId });
    const summary = await service.whenStopped(batchId);
    expect(summary.rejected).toBeGreaterThan(0);
    await streamed.finish();
    await late.finish();
    await writeResults(engine.store.database, batchId, path.join(folder, 'from-ledger.csv'));
    const fromLedger = readFileSync(path.join(folder, 'from-ledger.csv'), 'utf8');
    expect(fromLedger.trim().split('\r\n')).toHaveLength(1 + 200);
    expect(fromLedger).toContain(',rejected,AM04,');
    expect(readFileSync(path.join(folder, 'streamed.csv'), 'utf8')).toBe(fromLedger);
    expect(readFileSync(path.join(folder, 'late.csv'), 'utf8')).toBe(fromLedger);
    await engine.close();
  });

  it('a results path that cannot be written fails the results, not the batch', async () => {
    const { engine, folder } = await openLedger();
    const { service, batchId } = await generatedBatch(engine, folder, 50, 3);
    await engine.invoke('batch-start', { batchId });
    const results = service.streamResults(batchId, path.join(folder, 'no-such-folder', 'results.csv'));
    expect(await service.whenStopped(batchId)).toMatchObject({ status: 'completed', rowsDone: 50 });
    await expect(results.finish()).rejects.toThrow(/ENOENT/);
    await engine.close();
  });

  it('cancels a running batch, leaving the rows already committed and paying no more', async () => {
    const { engine, folder } = await openLedger();
    const { batchId } = await generatedBatch(engine, folder, 300, 8, 25);
    await engine.invoke('batch-start', { batchId });
    const cancelled = await engine.invoke('batch-cancel', { batchId });
    expect(cancelled.ok && cancelled.value.status).toBe('cancelled');
    const done = cancelled.ok ? cancelled.value.rowsDone : -1;
    expect(Number(engine.store.database.value('SELECT COUNT(*) FROM payments WHERE batch_id = ?', [batchId]))).toBe(done);
    expect(await engine.invoke('batch-resume', { batchId })).toMatchObject({ ok: false, code: 'FF01' });
    await engine.close();
  });

  it('abandons a validated batch with a reason, kept with the batch and in the audit trail, without paying anything', async () => {
    const { engine } = await openLedger();
    const { validation } = await validated(engine, fixture('default-lf.csv'));
    const batchId = validation.batch.batchId;
    expect(await engine.invoke('batch-abandon', { batchId, reason: '' })).toMatchObject({ ok: false, code: 'FF01', field: 'reason' });
    expect(await engine.invoke('batch-abandon', { batchId, reason: 'Wrong payroll month' })).toMatchObject({
      ok: true, value: { status: 'abandoned', problem: 'Abandoned by cli: Wrong payroll month' },
    });
    expect(await engine.invoke('batch-start', { batchId })).toMatchObject({ ok: false });
    expect(engine.info().payments).toBe(0); // only the opening balances, which are not payments
    const audit = await engine.invoke('audit-list', { action: 'batch-abandon' });
    expect(audit.ok && audit.value.items[0]).toMatchObject({ actor: 'cli', target: batchId, detail: expect.stringContaining('Wrong payroll month') });
    await engine.close();
  });

  it('pauses and asks when more than 20 % of the first rows fail, and runs to the end once resumed', async () => {
    const { engine, folder } = await openLedger();
    const filePath = path.join(folder, 'mostly-wrong.csv');
    const lines = ['id,from,to,amount,currency'];
    for (let index = 1; index <= 300; index++) lines.push(`m-${index},ALICE,${index % 10 < 3 ? 'NOBODY' : 'BOB'},0.01,EUR`);
    writeFileSync(filePath, `${lines.join('\n')}\n`);
    const service = batchService(engine);
    service.chunkRows = 50;
    service.failureCheckRows = 100;
    const { validation } = await validated(engine, filePath);
    const batchId = validation.batch.batchId;
    await engine.invoke('batch-start', { batchId });
    const paused = await service.whenStopped(batchId);
    expect(paused).toMatchObject({ status: 'paused', rowsDone: 100, accepted: 70, skipped: 30 });
    expect(paused.problem).toBe(
      '30 of the first 100 rows failed (30.0 %: AC01 30), more than 20 %. '
      + 'The batch paused so the file can be checked: resume to process the remaining rows anyway, or cancel.',
    );
    await engine.invoke('batch-resume', { batchId });
    expect(await service.whenStopped(batchId)).toMatchObject({ status: 'completed', rowsDone: 300, accepted: 210, skipped: 90, problem: null });
    await engine.close();
  });

  it('does not pause a batch whose first rows fail at 20 % or less', async () => {
    const { engine, folder } = await openLedger();
    const filePath = path.join(folder, 'some-wrong.csv');
    const lines = ['id,from,to,amount,currency'];
    for (let index = 1; index <= 200; index++) lines.push(`s-${index},ALICE,${index % 5 === 0 ? 'NOBODY' : 'BOB'},0.01,EUR`);
    writeFileSync(filePath, `${lines.join('\n')}\n`);
    const service = batchService(engine);
    service.chunkRows = 50;
    service.failureCheckRows = 100;
    const { validation } = await validated(engine, filePath);
    await engine.invoke('batch-start', { batchId: validation.batch.batchId });
    expect(await service.whenStopped(validation.batch.batchId)).toMatchObject({ status: 'completed', rowsDone: 200, skipped: 40 });
    await engine.close();
  });

  it('keeps the control totals per currency of a validated batch with it', async () => {
    const { engine } = await openLedger();
    const { validation } = await validated(engine, fixture('validation-errors.csv'));
    expect(validation.batch.controlTotals).toEqual([{ currency: 'EUR', count: 2, amountMinor: 200 }]);
    const again = await engine.invoke('batch-get', { batchId: validation.batch.batchId });
    expect(again.ok && again.value.controlTotals).toEqual([{ currency: 'EUR', count: 2, amountMinor: 200 }]);
    await engine.close();
  });

  it('shows a batch left running by a closed engine as interrupted, and refuses to resume when its file changed', async () => {
    const { engine, ledgerPath } = await openLedger();
    const { validation } = await validated(engine, fixture('default-lf.csv'));
    const batchId = validation.batch.batchId;
    engine.store.commit([{ t: 'batch-status', id: batchId, status: 'running', at: Date.now(), problem: null }]);
    await engine.close();
    const reopened = await Engine.open(ledgerPath, { create: true });
    const listed = await reopened.invoke('batch-list', {});
    expect(listed.ok && listed.value[0]).toMatchObject({ batchId, status: 'interrupted' });
    const stored = String(reopened.store.database.value('SELECT file_path FROM batches WHERE id = ?', [batchId]));
    copyFileSync(fixture('semicolon.csv'), stored);
    expect(await reopened.invoke('batch-resume', { batchId })).toMatchObject({ ok: false, message: expect.stringContaining('changed') });
    await reopened.close();
  });
});

describe('paydesk batch', () => {

  it('processes a file and prints the JSON report, writing injection-safe results', async () => {
    const { engine, folder, ledgerPath } = await openLedger();
    await engine.close();
    const filePath = path.join(folder, 'formula.csv');
    writeFileSync(filePath, 'id;from;to;amount;currency;reference\nf-1;ALICE;BOB;1.00;EUR;=HYPERLINK("http://x")\nf-2;ALICE;NOBODY;1.00;EUR;\n');
    const resultsPath = path.join(folder, 'results.csv');
    const run = await runMain(['batch', '--db', ledgerPath, filePath, '--results', resultsPath, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ rows: 2, valid: 1, invalid: 1, accepted: 1, rejected: 0, psr: 0.5, errors: [{ line: 3, field: 'creditor', code: 'AC01' }] });
    expect(Object.keys(report)).toEqual([
      'batchId', 'rows', 'valid', 'invalid', 'accepted', 'rejected', 'psr', 'rowsPerSecond', 'pltP50Us', 'pltP99Us', 'errors', 'errorTotal',
    ]);
    const results = readFileSync(resultsPath, 'utf8');
    expect(results).toContain(`2,f-1,ALICE,BOB,100,EUR,"'=HYPERLINK(""http://x"")",accepted,ACSC`);
    expect(results).toContain('3,f-2,ALICE,NOBODY,100,EUR,,refused,AC01,The creditor account NOBODY does not exist in this ledger.');
  });

  it('resumes a paused batch with --resume from its last committed chunk, and refuses a completed one with its code', async () => {
    const { engine, folder, ledgerPath } = await openLedger();
    const { service, batchId } = await generatedBatch(engine, folder, 200, 11, 20);
    await engine.invoke('batch-start', { batchId });
    const paused = await engine.invoke('batch-pause', { batchId });
    expect(paused.ok && paused.value.rowsDone).toBeLessThan(200);
    await service.whenStopped(batchId);
    await engine.close();
    const run = await runMain(['batch', '--db', ledgerPath, '--resume', batchId, '--json']);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ batchId, status: 'completed', rows: 200 });
    const again = await runMain(['batch', '--db', ledgerPath, '--resume', batchId]);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/^paydesk: FF01: Batch \S+ is completed; only a paused/) });
    const reopened = await Engine.open(ledgerPath);
    expect(Number(reopened.store.database.value('SELECT COUNT(DISTINCT line) FROM payments WHERE batch_id = ?', [batchId]))).toBe(200);
    expect(Number(reopened.store.database.value('SELECT COUNT(*) FROM payments WHERE batch_id = ?', [batchId]))).toBe(200);
    await reopened.close();
  });

  it('maps columns with --map and overrides the delimiter', async () => {
    const { engine, ledgerPath } = await openLedger();
    await engine.close();
    const maps = ['payment_id=Transaktion', 'debtor=Konto A', 'creditor=Konto B', 'amount=Betrag', 'currency=Waehrung'].flatMap((map) => ['--map', map]);
    const run = await runMain(['batch', '--db', ledgerPath, fixture('custom-headers.csv'), '--delimiter', ',', ...maps, '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 1, accepted: 1 });
    expect(run.code).toBe(0);
  });

  it('exits 2 with one line for an empty or unreadable file and changes nothing', async () => {
    const { engine, ledgerPath } = await openLedger();
    const paymentsBefore = engine.info().payments;
    await engine.close();
    for (const input of [fixture('empty.csv'), fixture('missing.csv')]) {
      const run = await runMain(['batch', '--db', ledgerPath, input, '--json']);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    }
    const reopened = await Engine.open(ledgerPath, { create: true });
    expect(reopened.info().payments).toBe(paymentsBefore);
    expect(await reopened.invoke('batch-list', {})).toEqual({ ok: true, value: [] });
    await reopened.close();
  });
});
