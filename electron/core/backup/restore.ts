import { promises as fs } from 'node:fs';
import path from 'node:path';
import { failure, success, type Result } from '../../../shared/result';
import { verifyAuditChain } from '../audit/audit-queries';
import { LedgerStore } from '../ledger-store';
import { acquireLedgerLock } from '../storage/ledger-lock';
import { applicationId } from '../schema';
import { SqliteDatabase } from '../storage/sqlite';
import { verifyLedger } from '../verify';

/**
 * Restoring a backup over a ledger. The backup is checked first (an SQLite
 * file, a PayDesk ledger, every invariant and the audit chain holding); the
 * ledger it replaces is never deleted: it and its journal move into a folder
 * beside it, then the backup is written in its place atomically.
 */
const sqliteMagic = 'SQLite format 3\u0000';

export interface BackupCheck {
  accounts: number;
  payments: number;
  auditEntries: number;
}

export async function checkBackupFile(filePath: string): Promise<Result<BackupCheck>> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(filePath);
  } catch (error) {
    return failure('BACKUP_FAILED', `${filePath} cannot be read: ${(error as Error).message}`);
  }
  return checkBackupBytes(bytes, filePath);
}

/** The same check on a backup already read (the UI's restore reads it before the engine closes, so rotation cannot remove it). */
export async function checkBackupBytes(bytes: Buffer, filePath: string): Promise<Result<BackupCheck>> {
  if (bytes.length < 100 || bytes.toString('latin1', 0, 16) !== sqliteMagic) {
    return failure('BACKUP_FAILED', `${path.basename(filePath)} is not a PayDesk ledger: it is not an SQLite file.`);
  }
  let database: SqliteDatabase;
  try {
    database = await SqliteDatabase.open(bytes);
  } catch (error) {
    return failure('BACKUP_FAILED', `${path.basename(filePath)} is damaged and cannot be read: ${(error as Error).message}`);
  }
  try {
    return checkOpenedBackup(database, path.basename(filePath));
  } catch (error) {
    return failure('BACKUP_FAILED', `${path.basename(filePath)} is damaged: ${(error as Error).message}`);
  } finally {
    database.close();
  }
}

function checkOpenedBackup(database: SqliteDatabase, name: string): Result<BackupCheck> {
  if (database.value("SELECT value FROM meta WHERE key = 'application'") !== applicationId) {
    return failure('BACKUP_FAILED', `${name} is an SQLite file but not a PayDesk ledger.`);
  }
  const report = verifyLedger(database);
  if (!report.ok) return failure('BACKUP_FAILED', `${name} fails verification: ${report.problems.join(' ')}`);
  const hasAudit = database.value("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit'") === 1;
  const audit = hasAudit ? verifyAuditChain(database) : { checkedEntries: 0, problems: [] };
  if (audit.problems.length > 0) return failure('BACKUP_FAILED', `${name} has a broken audit trail: ${audit.problems[0]}`);
  return success({ accounts: report.checkedAccounts, payments: report.checkedPayments, auditEntries: audit.checkedEntries });
}

/** Replaces the ledger at `ledgerPath` by the backup; returns the folder the replaced files moved to (null if there were none). */
export async function restoreBackup(
  ledgerPath: string, backupPath: string, alreadyRead?: Buffer,
): Promise<Result<{ movedAsideTo: string | null; check: BackupCheck }>> {
  const bytes = alreadyRead ?? (await fs.readFile(backupPath).catch(() => null));
  if (bytes === null) return failure('BACKUP_FAILED', `${backupPath} cannot be read.`);
  const check = await checkBackupBytes(bytes, backupPath);
  if (!check.ok) return check;
  const lock = await acquireLedgerLock(ledgerPath);
  try {
    const movedAsideTo = await moveAside(ledgerPath);
    // The backup becomes a new ledger: its own first journal generation, manifest and checksum.
    const store = await LedgerStore.open(ledgerPath, { create: true, initialBytes: bytes, lock: false });
    await store.close();
    return success({ movedAsideTo, check: check.value });
  } finally {
    await lock.release();
  }
}

/** The current file and its journal files go into `<file>.before-restore-<time>/`, so nothing is lost. */
async function moveAside(ledgerPath: string): Promise<string | null> {
  const folder = path.dirname(ledgerPath);
  const base = path.basename(ledgerPath);
  const names = (await fs.readdir(folder)).filter(
    (name) => name === base || name === `${base}.manifest` || name.startsWith(`${base}-journal-`),
  );
  if (names.length === 0) return null;
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  const aside = path.join(folder, `${base}.before-restore-${stamp}`);
  await fs.mkdir(aside);
  for (const name of names) await fs.rename(path.join(folder, name), path.join(aside, name));
  return aside;
}
