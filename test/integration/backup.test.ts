import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { backupsKept, defaultBackupFolder } from '../../electron/core/backup/backups';
import { LedgerOpenError } from '../../electron/core/ledger-store';
import { main as cli } from '../../electron/cli/main';
import { runMain } from '../support/run-cli';
import { useTempFolder } from '../support/temp-folder';
import { withOperators } from '../support/operators';

/** Rotating backups, restore from the command line, and files that are not ledgers refused and left as they were. */
const newFolder = useTempFolder('paydesk-backup-');

async function ledgerWithAlice(options = {}) {
  const folder = newFolder();
  const ledgerPath = path.join(folder, 'ledger.paydesk');
  const engine = await Engine.open(ledgerPath, { create: true, ...options });
  await engine.invoke('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' });
  return { folder, ledgerPath, engine };
}

async function quietly(run: () => Promise<number>): Promise<{ code: number; errors: string }> {
  const errors: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((text) => errors.push(String(text)) > 0);
  try {
    return { code: await run(), errors: errors.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('backups', () => {
  it('makes a daily backup at start and one on close, and keeps only the newest', async () => {
    const { engine, ledgerPath } = await ledgerWithAlice({ automaticBackups: true });
    for (let index = 0; index < backupsKept + 2; index++) await engine.backups.create('manual');
    expect((await engine.backups.status()).backups).toHaveLength(backupsKept);
    await engine.close();
    const names = readdirSync(defaultBackupFolder(ledgerPath));
    expect(names).toHaveLength(backupsKept);
    expect(names.some((name) => name.includes('-close.'))).toBe(true);
  });

  it('lets only an administrator change the folder, and backs up there', async () => {
    const { engine, folder } = await ledgerWithAlice();
    const { admin, vera } = await withOperators(engine, { vera: 'viewer' });
    const chosen = path.join(folder, 'elsewhere');
    expect(await vera.call('backup-folder-set', { folder: chosen })).toMatchObject({ ok: false, code: 'ROLE_REQUIRED' });
    expect(await admin.call('backup-folder-set', { folder: 'relative/path' })).toMatchObject({ ok: false, code: 'FF01' });
    expect(await admin.call('backup-folder-set', { folder: chosen })).toMatchObject({ ok: true, value: { folder: chosen } });
    expect(await admin.call('backup-create', {})).toMatchObject({ ok: true });
    expect(readdirSync(chosen)).toHaveLength(1);
    await engine.close();
  });

  it('restores a backup with paydesk restore, moving the replaced ledger aside', async () => {
    const { engine, ledgerPath, folder } = await ledgerWithAlice();
    const backup = await engine.backups.create('manual');
    await engine.invoke('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR', openingBalance: '5.00' });
    const backupPath = path.join(engine.backups.folder(), backup.fileName);
    const refused = await quietly(() => cli(['restore', '--db', ledgerPath, backupPath]));
    expect(refused.errors).toMatch(/already open in this PayDesk|open in another PayDesk process/);
    await engine.close();
    expect(await quietly(() => cli(['restore', '--db', ledgerPath, backupPath]))).toEqual({ code: 0, errors: '' });
    const restored = await Engine.open(ledgerPath, { create: true });
    expect(restored.listAccounts(undefined).map((account) => account.code)).toEqual(['ALICE', 'EQUITY-EUR']);
    expect(restored.verify()).toMatchObject({ ok: true });
    await restored.close();
    const aside = readdirSync(folder).find((name) => name.startsWith('ledger.paydesk.before-restore-'))!;
    const replaced = await Engine.open(path.join(folder, aside, 'ledger.paydesk'), { create: true });
    expect(replaced.listAccounts(undefined).map((account) => account.code)).toContain('BOB');
    await replaced.close();
  });

  it('backs up from the command line with paydesk backup, into the folder the Backups page uses', async () => {
    const { ledgerPath, engine } = await ledgerWithAlice();
    await engine.close();
    const made = await runMain(['backup', '--db', ledgerPath, '--json']);
    expect(made, made.stderr).toMatchObject({ code: 0 });
    const backupPath = (JSON.parse(made.stdout) as { path: string }).path;
    expect(path.dirname(backupPath)).toBe(defaultBackupFolder(ledgerPath));
    const restored = path.join(newFolder(), 'restored.paydesk');
    expect(await runMain(['restore', '--db', restored, backupPath])).toMatchObject({ code: 0, stdout: expect.stringContaining('1 payment, ') });
  });

  it('refuses to restore a file that is not a ledger, and leaves the ledger untouched', async () => {
    const { engine, ledgerPath, folder } = await ledgerWithAlice();
    await engine.close();
    const before = readFileSync(ledgerPath);
    const bogus = path.join(folder, 'notes.txt');
    writeFileSync(bogus, 'not a ledger at all');
    const damaged = path.join(folder, 'damaged.paydesk-backup');
    writeFileSync(damaged, before.subarray(0, 4096));
    for (const candidate of [bogus, damaged, path.join(folder, 'missing')]) {
      const { code, errors } = await quietly(() => cli(['restore', '--db', ledgerPath, candidate]));
      expect(code, candidate).toBe(2);
      expect(errors).toMatch(/BACKUP_FAILED/);
      expect(readFileSync(ledgerPath).equals(before)).toBe(true);
    }
  });

  it('refuses to open a file that is not a ledger or is damaged, and never writes to it', async () => {
    const folder = newFolder();
    const text = path.join(folder, 'text.paydesk');
    writeFileSync(text, 'hello');
    const { engine, ledgerPath } = await ledgerWithAlice();
    await engine.close();
    const damaged = path.join(folder, 'damaged.paydesk');
    const bytes = readFileSync(ledgerPath);
    writeFileSync(damaged, Buffer.concat([bytes.subarray(0, 100), Buffer.alloc(bytes.length - 100, 0xff)]));
    for (const candidate of [text, damaged]) {
      const before = readFileSync(candidate);
      await expect(Engine.open(candidate, { create: true })).rejects.toBeInstanceOf(LedgerOpenError);
      expect(readFileSync(candidate).equals(before)).toBe(true);
      expect(existsSync(`${candidate}.lock`)).toBe(false);
    }
  });
});
