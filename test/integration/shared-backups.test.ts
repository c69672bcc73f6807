import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { newPostgresDatabase, postgresTestsRun } from '../support/postgres';
import { runMain } from '../support/run-cli';
import { useTempFolder } from '../support/temp-folder';

/**
 * Backups of a shared ledger (issue 17): the Backups page's channel and
 * `paydesk backup` write the ledger's export, a file ledger that the file back
 * end restores and opens; a backup is restored into an empty database only.
 */
const newFolder = useTempFolder('paydesk-shared-backups-');

async function sharedLedgerWithPayments(backupFolder: string): Promise<string> {
  const url = await newPostgresDatabase();
  const engine = await Engine.open(url, { create: true });
  for (const [code, openingBalance] of [['ALICE', '1000.00'], ['BOB', '0'], ['CAROL', '50.00']]) {
    expect(await engine.invoke('account-create', { code, name: code, currency: 'EUR', openingBalance })).toMatchObject({ ok: true });
  }
  for (let index = 0; index < 20; index++) {
    const debtor = index % 2 === 0 ? 'ALICE' : 'CAROL';
    await engine.invoke('payment-submit', { paymentId: `P-${index}`, debtor, creditor: 'BOB', amount: '7.25', currency: 'EUR' });
  }
  expect(await engine.invoke('backup-folder-set', { folder: backupFolder })).toMatchObject({ ok: true });
  await engine.close();
  return url;
}

/** Balances by account code, the payment count and verify's verdict of a ledger. */
async function summary(location: string) {
  const engine = await Engine.open(location, { liveUpdates: false });
  try {
    const report = engine.verify();
    const balances = Object.fromEntries(engine.listAccounts(undefined).map((account) => [account.code, account.balanceMinor]));
    return { ok: report.ok, problems: report.problems, payments: report.checkedPayments, balances, auditHead: engine.auditHead() };
  } finally {
    await engine.close();
  }
}

describe.runIf(postgresTestsRun())('backups of a shared ledger on PostgreSQL', () => {
  it('backs up through the Backups page channel; the backup restores as a file ledger with the same balances and payments', async () => {
    const backupFolder = newFolder();
    const url = await sharedLedgerWithPayments(backupFolder);
    const engine = await Engine.open(url);
    const made = await engine.invoke('backup-create', {});
    expect(made).toMatchObject({ ok: true, value: { fileName: expect.stringMatching(/^127\.0\.0\.1-paydesk_t_.*-manual\.paydesk-backup$/) } });
    expect(made.ok && made.value.fileName).not.toContain('paydesk_test:');
    const listed = { folder: backupFolder, backups: [{ fileName: made.ok && made.value.fileName }] };
    expect(await engine.invoke('backup-status', {})).toMatchObject({ ok: true, value: listed });
    await engine.close();
    const filePath = path.join(newFolder(), 'restored.paydesk');
    const backupPath = path.join(backupFolder, made.ok ? made.value.fileName : '');
    expect(await runMain(['restore', '--db', filePath, backupPath])).toMatchObject({ code: 0, stdout: expect.stringContaining('4 accounts, 22 payments') });
    const original = await summary(url);
    expect(original).toMatchObject({ ok: true, payments: 22 });
    expect(await summary(filePath)).toEqual(original);
    expect(await runMain(['verify', '--db', filePath])).toMatchObject({ code: 0, stdout: expect.stringContaining('22 payments') });
  });

  it('paydesk backup writes the same kind of backup from the command line, and a shared ledger restores only into an empty database', async () => {
    const backupFolder = newFolder();
    const url = await sharedLedgerWithPayments(backupFolder);
    const backedUp = await runMain(['backup', '--db', url, '--json']);
    expect(backedUp, backedUp.stderr).toMatchObject({ code: 0 });
    const backupPath = (JSON.parse(backedUp.stdout) as { path: string }).path;
    expect(path.dirname(backupPath)).toBe(backupFolder);
    expect(readdirSync(backupFolder)).toEqual([path.basename(backupPath)]);

    const over = await runMain(['restore', '--db', url, backupPath]);
    expect(over).toMatchObject({ code: 2, stderr: expect.stringContaining('SHARED_RESTORE') });
    expect(over.stderr).toContain('Create a new, empty database and restore into it.');
    expect(over.stderr).not.toContain('paydesk_test:paydesk_test');

    const empty = await newPostgresDatabase();
    expect(await runMain(['restore', '--db', empty, backupPath])).toMatchObject({ code: 0, stdout: expect.stringContaining('22 payments') });
    expect(await summary(empty)).toEqual(await summary(url));
    const paid = await runMain(['pay', '--db', empty, '--id', 'P-3', '--from', 'ALICE', '--to', 'BOB', '--amount', '1', '--currency', 'EUR']);
    expect(paid.stderr + paid.stdout, 'the ids paid before the backup stay taken').toMatch(/DUPL|already/);
  });

  it('refuses to restore over an open shared ledger from the Backups page, with a code and a sentence, and changes nothing', async () => {
    const backupFolder = newFolder();
    const url = await sharedLedgerWithPayments(backupFolder);
    const before = await summary(url);
    const engine = await Engine.open(url);
    const made = await engine.invoke('backup-create', {});
    if (!made.ok) throw new Error(made.message);
    const refused = await engine.invoke('backup-restore', { fileName: made.value.fileName });
    const sentence = expect.stringContaining('paydesk restore --db postgres://');
    expect(refused).toMatchObject({ ok: false, code: 'SHARED_RESTORE', field: 'fileName', message: sentence });
    expect(engine.backups.takeRestoreRequest()).toBeNull();
    await engine.close();
    expect(await summary(url)).toEqual(before);
  });
});
