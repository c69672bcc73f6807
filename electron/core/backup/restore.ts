import { promises as fs } from 'node:fs';
import path from 'node:path';
import { failure, success, type Result } from '../../../shared/result';
import { verifyAuditChain } from '../audit/audit-queries';
import { LedgerStore } from '../ledger-store';
import { acquireLedgerLock } from '../storage/ledger-lock';
import { applicationId } from '../schema';
import { SqliteDatabase } from '../storage/sqlite';
import { displayLocation, SharedLedgerError, sharedLedgerExists } from '../storage/postgres-log';
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

/**
 * Restores a backup into a shared ledger (PostgreSQL), only into a database
 * that holds no ledger yet: desks may have a shared ledger open and may have
 * told someone an outcome it holds, so one is never replaced. The new ledger
 * is checked against the backup (verify, the same counts) before it is reported.
 */
export async function restoreSharedBackup(location: string, backupPath: string): Promise<Result<{ movedAsideTo: null; check: BackupCheck }>> {
  const bytes = await fs.readFile(backupPath).catch(() => null);
  if (bytes === null) return failure('BACKUP_FAILED', `${backupPath} cannot be read.`);
  const check = await checkBackupBytes(bytes, backupPath);
  if (!check.ok) return check;
  const refusal = failure('SHARED_RESTORE', `${displayLocation(location)} already holds a ledger, so the backup was not restored and ` +
    'that ledger was not changed: a shared ledger is never replaced. Create a new, empty database and restore into it.');
  if (await sharedLedgerExists(location)) return refusal;
  let store: LedgerStore;
  try {
    store = await LedgerStore.open(location, { create: true, mustBeNew: true, initialBytes: bytes });
  } catch (error) {
    // Another desk made a ledger there in the meantime.
    if (error instanceof SharedLedgerError && error.code === 'LEDGER_EXISTS') return refusal;
    throw error;
  }
  try {
    const report = verifyLedger(store.database);
    if (!report.ok || report.checkedAccounts !== check.value.accounts || report.checkedPayments !== check.value.payments) {
      return failure('BACKUP_FAILED', `The restored ledger at ${displayLocation(location)} does not match the backup: ` +
        `${report.problems.join(' ') || 'different counts'}. Drop that database before trying again.`);
    }
  } finally {
    await store.close();
  }
  return success({ movedAsideTo: null, check: check.value });
}
