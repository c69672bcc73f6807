import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { reconciliationLimits, type ReconciliationReport } from '../../shared/reconciliation';
import type { Result } from '../../shared/result';
import { buildFixtureLedger } from '../fixtures/reconciliation/ledger';
import { backends, newLedgerLocation, type BackendName } from '../support/postgres';
import { useTempFolder } from '../support/temp-folder';

const newFolder = useTempFolder('paydesk-reconciliation-');
const fixtures = path.join(import.meta.dirname, '../fixtures/reconciliation');
const cliPath = path.join(import.meta.dirname, '../../bin/paydesk.mjs');

function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.value;
}

/** Sends a statement the way the page does: in chunks no larger than the contract allows. */
async function upload(engine: Engine, fileName: string, text: string, chunkChars: number = reconciliationLimits.uploadChunkChars): Promise<string> {
  let uploadId: string | null = null;
  for (let offset = 0; offset < text.length || uploadId === null; offset += chunkChars) {
    const chunk = text.slice(offset, offset + chunkChars);
    const receipt: { uploadId: string } = valueOf(await engine.invoke('reconciliation-upload', { uploadId, fileName, offset, text: chunk }));
    uploadId = receipt.uploadId;
  }
  return uploadId;
}

async function fixtureLedger(backend: BackendName = 'file'): Promise<string> {
  const ledgerPath = backend === 'file' ? path.join(newFolder(), 'books.paydesk') : await newLedgerLocation(backend, newFolder());
  await buildFixtureLedger(ledgerPath);
  return ledgerPath;
}

const lineOf = (report: ReconciliationReport, reference: string) => report.unmatchedStatement.find((line) => line.reference === reference)!;

describe.each(backends())('reconciliation on the %s back end', (backend) => {
    it('runs a chunked CSV upload, keeps a match by hand across a close and reopen, and reports the three panes', async () => {
      const ledgerPath = await fixtureLedger(backend);
      let engine = await Engine.open(ledgerPath, { create: true });
      const uploadId = await upload(engine, 'statement.csv', readFileSync(path.join(fixtures, 'statement.csv'), 'utf8'), 100);
      const report = valueOf(await engine.invoke('reconciliation-run', { uploadId, account: 'CASH' }));
      expect(report.summary).toMatchObject({
        statementLines: 13, ledgerEntries: 15, matched: 9, unmatchedStatement: 4, unmatchedLedger: 4, amountMismatches: 1,
        fromDate: '2024-03-01', toDate: '2024-03-29', closingBalanceSource: 'derived', statementClosingMinor: 45_340, ledgerClosingMinor: 32_690,
        closingDifferenceMinor: 12_650,
      });
      const rules = Object.fromEntries(report.matches.map((match) => [match.statementLine.line, match.rule]));
      expect(rules).toEqual({
        2: 'end-to-end-id', 3: 'end-to-end-id', 4: 'reference-amount', 5: 'amount-date', 6: 'amount-date', 7: 'amount-date',
        8: 'reference-amount', 9: 'reference-amount', 11: 'many-to-one',
      });
      const transfer = lineOf(report, 'Transfer');
      expect(transfer.candidates).toEqual(['P-1009', 'P-1010']);
      expect(report.unmatchedLedger.map((entry) => entry.paymentId)).toEqual(['P-1009', 'P-1010', 'P-1011', 'P-1012']);

      const runId = report.summary.runId;
      const matched = valueOf(await engine.invoke('reconciliation-match', { runId, statementLine: transfer.line, paymentIds: ['P-1010'] }));
      expect(matched.summary).toMatchObject({ matched: 10, unmatchedStatement: 3, unmatchedLedger: 3 });
      const taken = await engine.invoke('reconciliation-match', { runId, statementLine: 14, paymentIds: ['P-1010'] });
      expect(taken).toMatchObject({ ok: false, code: 'FF01', message: 'Payment P-1010 is already matched to another statement line.' });
      await engine.close();

      engine = await Engine.open(ledgerPath, { create: true });
      const reopened = valueOf(await engine.invoke('reconciliation-get', { runId }));
      const byHand = reopened.matches.find((match) => match.statementLine.line === transfer.line);
      expect(byHand).toMatchObject({ rule: 'manual', confidence: 1, amountDifferenceMinor: 0, payments: [{ paymentId: 'P-1010' }] });
      expect(valueOf(await engine.invoke('reconciliation-list', {})).map((run) => run.runId)).toEqual([runId]);
      await engine.close();
    });

    it('refuses a bad file, a statement in another currency and an unknown account, and keeps no run', async () => {
      const ledgerPath = await fixtureLedger(backend);
      const engine = await Engine.open(ledgerPath, { create: true });
      const bad = await upload(engine, 'bad-date.csv', readFileSync(path.join(fixtures, 'bad-date.csv'), 'utf8'));
      const refused = await engine.invoke('reconciliation-run', { uploadId: bad, account: 'CASH' });
      expect(refused).toMatchObject({ ok: false, code: 'FF01', message: expect.stringMatching(/^Line 3/) });
      const usd = await upload(engine, 'usd.csv', 'date,amount,currency\n2024-03-01,1.00,USD\n');
      expect(await engine.invoke('reconciliation-run', { uploadId: usd, account: 'CASH' })).toMatchObject({ ok: false, code: 'AM03' });
      expect(await engine.invoke('reconciliation-run', { uploadId: usd, account: 'NOPE' })).toMatchObject({ ok: false, code: 'AC01' });
      expect(valueOf(await engine.invoke('reconciliation-list', {}))).toEqual([]);
      expect(await engine.invoke('reconciliation-upload', { uploadId: bad, fileName: 'x', offset: 5, text: 'x' })).toMatchObject({ ok: false });
      await engine.close();
    });

    it('exports an injection-safe report and answers paydesk reconcile --json in the documented shape', async () => {
      const ledgerPath = await fixtureLedger(backend);
      const reportPath = path.join(newFolder(), 'report.csv');
      const run = promisify(execFile);
      const outcome = await run(process.execPath, [
        cliPath, 'reconcile', '--db', ledgerPath, '--account', 'CASH', '--from', '2024-03-01', '--to', '2024-03-31',
        path.join(fixtures, 'statement.csv'), '--json', '--report', reportPath,
      ]).catch((error: { code: number; stdout: string }) => error);
      expect((outcome as { code?: number }).code).toBe(1);
      const json = JSON.parse((outcome as { stdout: string }).stdout);
      expect(Object.keys(json)).toEqual([
        'runId', 'account', 'statementId', 'statementAccount', 'format', 'formatVersion', 'statementLines', 'ledgerEntries', 'matched',
        'unmatchedStatement', 'unmatchedLedger', 'amountMismatches', 'openingDifferenceMinor', 'closingDifferenceMinor', 'matches',
      ]);
      expect(json.matches[0]).toEqual({ statementLine: 2, paymentIds: ['P-1001'], rule: 'end-to-end-id' });
      expect(json.matches.find((match: { rule: string }) => match.rule === 'many-to-one').paymentIds).toEqual(['P-2001', 'P-2002', 'P-2003']);
      const csv = readFileSync(reportPath, 'utf8');
      expect(csv).toContain(`,"'=HYPERLINK(""http://example.com"")",`);
      expect(csv).toContain('unmatched statement,14,2024-03-29,15.00,debit,EUR,FEE');
      const bad = await run(process.execPath, [cliPath, 'reconcile', '--db', ledgerPath, '--account', 'CASH', path.join(fixtures, 'bad-indicator.camt053.xml')])
        .catch((error: { code: number; stderr: string }) => error);
      expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/Ntry\[2\]\/CdtDbtInd/) });
    });
});

describe('reconciliation on a real ledger file', () => {
  it('keeps a decision acknowledged but never checkpointed: the journal alone brings it back after a crash', async () => {
    const ledgerPath = await fixtureLedger();
    const engine = await Engine.open(ledgerPath, { create: true });
    const uploadId = await upload(engine, 'statement.camt053.xml', readFileSync(path.join(fixtures, 'statement.camt053.xml'), 'utf8'));
    const report = valueOf(await engine.invoke('reconciliation-run', { uploadId, account: 'CASH' }));
    expect(report.summary).toMatchObject({ closingBalanceSource: 'statement', statementClosingMinor: 45_340, closingDifferenceMinor: 12_650 });
    const runId = report.summary.runId;
    valueOf(await engine.invoke('reconciliation-unmatch', { runId, statementLine: 1 }));
    valueOf(await engine.invoke('reconciliation-finish', { runId }));
    // A copy of the files as they are on disk now is what a crash would leave: the engine is never closed.
    const crashFolder = newFolder();
    const folder = path.dirname(ledgerPath);
    for (const name of readdirSync(folder).filter((name) => name.startsWith('books.paydesk') && !name.endsWith('.lock'))) {
      copyFileSync(path.join(folder, name), path.join(crashFolder, name));
    }
    await engine.close();
    const recovered = await Engine.open(path.join(crashFolder, 'books.paydesk'), { create: true });
    const after = valueOf(await recovered.invoke('reconciliation-get', { runId }));
    expect(after.summary).toMatchObject({ status: 'finished', matched: 8, unmatchedStatement: 5 });
    expect(await recovered.invoke('reconciliation-match', { runId, statementLine: 1, paymentIds: ['P-1001'] })).toMatchObject({ ok: false });
    valueOf(await recovered.invoke('reconciliation-reopen', { runId }));
    const rematched = valueOf(await recovered.invoke('reconciliation-match', { runId, statementLine: 1, paymentIds: ['P-1001'] }));
    expect(rematched.summary.matched).toBe(9);
    expect(recovered.verify().ok).toBe(true);
    await recovered.close();
  });
});
