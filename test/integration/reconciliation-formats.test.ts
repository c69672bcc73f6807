import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { reconciliationService } from '../../electron/core/reconciliation/reconciliation-handlers';
import type { Result } from '../../shared/result';
import { buildFixtureLedger } from '../fixtures/reconciliation/ledger';
import { useTempFolder } from '../support/temp-folder';
import { runCli } from '../support/run-cli';

/**
 * Statement files in the shapes banks send, reconciled through the command
 * line without --account (each statement against the account its IBAN or
 * other id names) and through the engine: envelopes, several statements,
 * camt.052/054, ISO-8859-1 and MT940.
 */
const newFolder = useTempFolder('paydesk-statement-formats-');
const fixtures = path.join(import.meta.dirname, '../fixtures/reconciliation');


/** `paydesk ...` as a real process. */
const cli = (...args: string[]) => runCli(args);

async function fixtureLedger(): Promise<string> {
  const ledgerPath = path.join(newFolder(), 'books.paydesk');
  await buildFixtureLedger(ledgerPath);
  return ledgerPath;
}

function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.value;
}

interface JsonRun {
  account: string;
  statementId: string;
  statementAccount: string;
  format: string;
  formatVersion: string;
  statementLines: number;
  matched: number;
  unmatchedStatement: number;
  unmatchedLedger: number;
  openingDifferenceMinor: number | null;
  closingDifferenceMinor: number;
}

const shape = (run: JsonRun) => [
  run.account, run.statementId, run.statementAccount, run.formatVersion, run.statementLines, run.matched, run.unmatchedStatement,
  run.unmatchedLedger, run.openingDifferenceMinor, run.closingDifferenceMinor,
];

describe('paydesk reconcile on statements as banks send them', () => {
  it('reconciles each statement of an enveloped camt.053 and of an MT940 file against the account its IBAN names', async () => {
    const ledgerPath = await fixtureLedger();
    const envelope = await cli('reconcile', '--db', ledgerPath, path.join(fixtures, 'envelope-two-accounts.camt053.xml'), '--json');
    expect(envelope.code).toBe(1);
    const enveloped = JSON.parse(envelope.stdout);
    expect(enveloped).toMatchObject({ format: 'camt053', formatVersion: 'camt.053.001.08' });
    expect(enveloped.runs.map(shape)).toEqual([
      ['CASH', 'CASH-2024-03', 'DE89370400440532013000', 'camt.053.001.08', 17, 15, 2, 0, 0, 0],
      ['CUST-A', 'CUSTA-2024-03', 'GB82WEST12345698765432', 'camt.053.001.08', 8, 8, 0, 0, 0, 0],
    ]);
    const mt940 = await cli('reconcile', '--db', ledgerPath, path.join(fixtures, 'two-statements.mt940'), '--json');
    expect(JSON.parse(mt940.stdout).runs.map(shape)).toEqual([
      // The bank states an opening of 100.00 where the ledger had nothing: both differences show it.
      ['CASH', 'STMT-CASH-03 00003/001', 'DE89370400440532013000', 'MT940', 17, 15, 2, 0, 10_000, 10_000],
      ['CUST-A', 'STMT-CUSTA-03 00003/001', 'GB82WEST12345698765432', 'MT940', 8, 8, 0, 0, 0, 0],
    ]);
    const text = await cli('reconcile', '--db', ledgerPath, path.join(fixtures, 'two-statements.mt940'));
    expect(text.stdout).toContain('SWIFT MT940 (MT940), 2 statement(s)');
    expect(text.stdout).toContain('opening balance: statement 100.00 EUR, ledger 0.00 EUR, difference 100.00 EUR');
  }, 30_000);

  it('reconciles camt.054, camt.052 and an ISO-8859-1 camt.053 named by another account id, each clean', async () => {
    const ledgerPath = await fixtureLedger();
    const expected: Record<string, unknown[]> = {
      'notification.camt054.xml': ['CASH', 'NTF-CASH-0314', 'DE89370400440532013000', 'camt.054.001.08', 4, 4, 0, 0, null, 0],
      'report.camt052.xml': ['CASH', 'RPT-CASH-0328', 'DE89370400440532013000', 'camt.052.001.08', 1, 1, 0, 0, null, 0],
      'latin1.camt053.xml': ['CUST-B', 'CUSTB-2024-03', '4711-0815', 'camt.053.001.02', 7, 7, 0, 0, 0, 0],
    };
    for (const [file, summary] of Object.entries(expected)) {
      const outcome = await cli('reconcile', '--db', ledgerPath, path.join(fixtures, file), '--json');
      expect(outcome.code, file).toBe(0);
      expect(shape(JSON.parse(outcome.stdout)), file).toEqual(summary);
    }
    const engine = await Engine.open(ledgerPath);
    const runs = valueOf(await engine.invoke('reconciliation-list', { account: 'CUST-B' }));
    const report = valueOf(await engine.invoke('reconciliation-get', { runId: runs[0].runId }));
    expect(report.matches.map((match) => match.statementLine.reference)).toContain('INV-1003 Müller Straße');
    await engine.close();
  }, 30_000);

  it('refuses a statement whose IBAN no account carries and keeps no run, until the account is identified', async () => {
    const ledgerPath = await fixtureLedger();
    const unknown = path.join(path.dirname(ledgerPath), 'unknown.xml');
    const envelope = readFileSync(path.join(fixtures, 'envelope-two-accounts.camt053.xml'), 'utf8');
    writeFileSync(unknown, envelope.replace('GB82 WEST 1234 5698 7654 32', 'FR1420041010050500013M02606'));
    const refused = await cli('reconcile', '--db', ledgerPath, unknown);
    expect(refused).toMatchObject({
      code: 2, stderr: expect.stringContaining('AC01: statement 1: CUSTA-2024-03, FR1420041010050500013M02606, 2024-03-01 to 2024-03-31'),
    });
    expect(await cli('account', 'identify', '--db', ledgerPath, '--code', 'LANDLORD', '--iban', 'FR1420041010050500013M02607')).toMatchObject({
      code: 2, stderr: expect.stringContaining('AC01: The check digits of FR1420041010050500013M02607 are wrong'),
    });
    expect(await cli('account', 'identify', '--db', ledgerPath, '--code', 'LANDLORD', '--iban', 'DE89370400440532013000')).toMatchObject({
      code: 2, stderr: expect.stringContaining('IDENTIFIER_TAKEN: DE89370400440532013000 already identifies the account CASH'),
    });
    let engine = await Engine.open(ledgerPath);
    expect(valueOf(await engine.invoke('reconciliation-list', {}))).toEqual([]);
    await engine.close();
    const identified = await cli('account', 'identify', '--db', ledgerPath, '--code', 'LANDLORD', '--iban', 'fr14 2004 1010 0505 0001 3m02 606');
    expect(identified).toMatchObject({ code: 0, stdout: 'Account LANDLORD is identified by IBAN FR1420041010050500013M02606.\n' });
    const accepted = JSON.parse((await cli('reconcile', '--db', ledgerPath, unknown, '--statement', '0', '--json')).stdout);
    expect([accepted.account, accepted.statementId]).toEqual(['CASH', 'CASH-2024-03']);
    const overridden = await cli('reconcile', '--db', ledgerPath, unknown, '--account', 'CUST-A');
    expect(overridden).toMatchObject({ code: 2, stderr: expect.stringContaining('the file holds 2 statements') });
    engine = await Engine.open(ledgerPath);
    expect(valueOf(await engine.invoke('reconciliation-list', {})).map((run) => run.account)).toEqual(['CASH']);
    await engine.close();
  }, 30_000);
});

describe('statement files in the engine', () => {
  it('lists the statements of a file with the ledger accounts they name, asks which to run, and keeps identifiers across a reopen', async () => {
    const ledgerPath = await fixtureLedger();
    let engine = await Engine.open(ledgerPath);
    const service = reconciliationService(engine);
    const { uploadId } = service.addStatementText('two.mt940', readFileSync(path.join(fixtures, 'two-statements.mt940'), 'utf8'));
    const view = valueOf(await engine.invoke('reconciliation-inspect', { uploadId }));
    expect(view).toMatchObject({ format: 'mt940', version: 'MT940' });
    expect(view.statements.map((statement) => [statement.index, statement.ledgerAccount, statement.lines, statement.fromDate, statement.toDate])).toEqual([
      [0, 'CASH', 17, '2024-03-01', '2024-03-31'], [1, 'CUST-A', 8, '2024-03-01', '2024-03-31'],
    ]);
    expect(await engine.invoke('reconciliation-run', { uploadId })).toMatchObject({ ok: false, code: 'FF01', field: 'statement' });
    const second = valueOf(await engine.invoke('reconciliation-run', { uploadId, statement: 1 }));
    expect(second.summary).toMatchObject({ account: 'CUST-A', statementId: 'STMT-CUSTA-03 00003/001', formatVersion: 'MT940', matched: 8 });
    const first = valueOf(await engine.invoke('reconciliation-run', { uploadId, statement: 0 }));
    expect(first.summary).toMatchObject({ account: 'CASH', statementOpeningMinor: 10_000, ledgerOpeningMinor: 0, openingDifferenceMinor: 10_000 });
    expect(valueOf(await engine.invoke('reconciliation-export', { runId: first.summary.runId })).csv).toContain(
      'opening difference,,2024-03-01,100.00,credit,EUR,statement,,,0.00,,,credit 100.00,',
    );
    await engine.close();
    engine = await Engine.open(ledgerPath);
    expect(valueOf(await engine.invoke('account-identifier-list', { account: 'CASH' }))).toMatchObject([{ kind: 'iban', value: 'DE89370400440532013000' }]);
    const kept = valueOf(await engine.invoke('reconciliation-get', { runId: first.summary.runId }));
    expect(kept.summary).toMatchObject({ statementAccount: 'DE89370400440532013000', openingDifferenceMinor: 10_000 });
    expect(engine.verify().ok).toBe(true);
    await engine.close();
  });

  it('brings back an identifier and a run acknowledged but never checkpointed from the journal alone', async () => {
    const ledgerPath = await fixtureLedger();
    const engine = await Engine.open(ledgerPath);
    valueOf(await engine.invoke('account-identifier-add', { account: 'LANDLORD', kind: 'iban', value: 'FR1420041010050500013M02606' }));
    const { uploadId } = reconciliationService(engine).addStatementText('n.xml', readFileSync(path.join(fixtures, 'notification.camt054.xml'), 'utf8'));
    const runId = valueOf(await engine.invoke('reconciliation-run', { uploadId })).summary.runId;
    // A copy of the files as they are on disk now is what a crash would leave: the engine is never closed.
    const crashFolder = newFolder();
    const folder = path.dirname(ledgerPath);
    for (const name of readdirSync(folder).filter((name) => name.startsWith('books.paydesk') && !name.endsWith('.lock'))) {
      copyFileSync(path.join(folder, name), path.join(crashFolder, name));
    }
    await engine.close();
    const recovered = await Engine.open(path.join(crashFolder, 'books.paydesk'));
    expect(valueOf(await recovered.invoke('account-identifier-list', { account: 'LANDLORD' }))).toMatchObject([{ value: 'FR1420041010050500013M02606' }]);
    expect(valueOf(await recovered.invoke('reconciliation-get', { runId })).summary).toMatchObject({
      account: 'CASH', statementId: 'NTF-CASH-0314', formatVersion: 'camt.054.001.08', matched: 4,
    });
    expect(recovered.verify().ok).toBe(true);
    await recovered.close();
  });

  it('refuses a CSV statement without an account: a CSV file names none', async () => {
    const ledgerPath = await fixtureLedger();
    const engine = await Engine.open(ledgerPath);
    const { uploadId } = reconciliationService(engine).addStatementText('s.csv', readFileSync(path.join(fixtures, 'statement.csv'), 'utf8'));
    expect(await engine.invoke('reconciliation-run', { uploadId })).toMatchObject({ ok: false, code: 'AC01', field: 'account' });
    expect(valueOf(await engine.invoke('reconciliation-list', {}))).toEqual([]);
    await engine.close();
  });
});
