import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackupFile, BackupStatus, RestoreOutcome } from '../../../shared/access';
import { failure, success, type Result } from '../../../shared/result';
import type { LedgerStore } from '../ledger-store';
import { writeFileAtomic } from '../storage/atomic-file';
import { displayLocation, isSharedLedgerUrl } from '../storage/postgres-log';
import { verifyLedger } from '../verify';
import { checkBackupBytes } from './restore';

/**
 * Rotating copies of the ledger file: on close and daily while the
 * application runs, and on request. A backup is the file as of a checkpoint,
 * so it is a complete ledger on its own (no journal needed); it is written
 * atomically and the oldest beyond `backupsKept` are deleted.
 *
 * A shared ledger (PostgreSQL) has no file to copy: its backup is the ledger's
 * whole database exported in a turn, the same image a ledger file holds, so the
 * file back end reads it (`paydesk restore --db FILE BACKUP`). It is checked
 * after writing: read back, verified, and counted against the ledger it came from.
 */
export const backupsKept = 10;
export const backupIntervalMs = 24 * 60 * 60 * 1000;
/** How often the running application checks whether the daily backup is due. */
export const backupCheckIntervalMs = 60 * 60 * 1000;
export const backupFolderSettingKey = 'backup-folder';
export const backupExtension = '.paydesk-backup';

export function defaultBackupFolder(ledgerPath: string): string {
  // A shared ledger has no folder of its own: its backups go under the user's PayDesk folder on the desk that makes them.
  if (isSharedLedgerUrl(ledgerPath)) {
    const key = createHash('sha256').update(displayLocation(ledgerPath)).digest('hex').slice(0, 16);
    return path.join(os.homedir(), '.paydesk', 'shared-ledger-backups', key);
  }
  return path.join(path.dirname(ledgerPath), 'paydesk-backups');
}

export type BackupReason = 'close' | 'daily' | 'manual';

/** A restore the engine checked and audited; the transport holding the engine carries it out (electron/core/engine-holder.ts). */
export interface RestoreRequest {
  fileName: string;
  backupPath: string;
  bytes: Buffer;
}

export class Backups {
  private restoreRequest: RestoreRequest | null = null;

  constructor(private readonly store: LedgerStore) {}

  /**
   * Checks a backup chosen by name from the backup folder (never a path from
   * the caller), audits the request and leaves it for the transport, which
   * closes this engine, restores the file and reopens it.
   */
  async prepareRestore(fileName: string): Promise<Result<RestoreOutcome>> {
    if (this.store.isShared) {
      return failure('SHARED_RESTORE', `A shared ledger is not replaced while desks have it open, so ${fileName} was not restored and ` +
        'this ledger was not changed. Restore the backup into a new, empty database with "paydesk restore --db postgres://…/NEW-DATABASE ' +
        'BACKUP", then point the desks at that database.', 'fileName');
    }
    const folder = this.folder();
    const listed = await listBackups(folder, this.store.ledgerPath);
    if (!listed.some((backup) => backup.fileName === fileName)) {
      return failure('NOT_FOUND', `No backup ${fileName} is in ${folder}; choose one from the list.`, 'fileName');
    }
    const backupPath = path.join(folder, fileName);
    const bytes = await fs.readFile(backupPath).catch(() => null);
    if (bytes === null) return failure('BACKUP_FAILED', `The backup ${fileName} cannot be read.`, 'fileName');
    const check = await checkBackupBytes(bytes, backupPath);
    if (!check.ok) return { ...check, field: 'fileName' };
    const detail = `restore of ${fileName} requested: ${check.value.accounts} accounts, ${check.value.payments} payments; the current file is kept aside`;
    await this.store.whenDurable(this.store.commit([], { action: 'backup-restore', target: fileName, detail }));
    this.restoreRequest = { fileName, backupPath, bytes };
    return success({ fileName, ...check.value, movedAsideTo: null });
  }

  /** The restore asked for, once: the transport takes it after the request that asked for it has answered. */
  takeRestoreRequest(): RestoreRequest | null {
    const request = this.restoreRequest;
    this.restoreRequest = null;
    return request;
  }

  folder(): string {
    const chosen = this.store.database.value('SELECT value FROM settings WHERE key = ?', [backupFolderSettingKey]);
    return typeof chosen === 'string' ? chosen : defaultBackupFolder(this.store.ledgerPath);
  }

  async status(): Promise<BackupStatus> {
    const backups = await listBackups(this.folder(), this.store.ledgerPath);
    return { folder: this.folder(), backups, keep: backupsKept, shared: this.store.isShared };
  }

  async setFolder(folder: string): Promise<Result<BackupStatus>> {
    if (!path.isAbsolute(folder)) return failure('FF01', 'Give the backup folder as a full path, such as /home/me/paydesk-backups.', 'folder');
    try {
      await fs.mkdir(folder, { recursive: true });
      await fs.access(folder, fs.constants.W_OK);
    } catch (error) {
      return failure('BACKUP_FAILED', `PayDesk cannot write to ${folder}: ${(error as Error).message}`, 'folder');
    }
    await this.store.whenDurable(this.store.commit([{ t: 'setting', key: backupFolderSettingKey, value: path.resolve(folder) }]));
    return success(await this.status());
  }

  /** Checkpoints, then copies the file the checkpoint wrote; the copy is a whole ledger. */
  async create(reason: BackupReason): Promise<BackupFile> {
    if (this.store.isShared) return this.createShared(reason);
    await this.store.checkpoint();
    return copyLedger(this.store.ledgerPath, this.folder(), reason);
  }

  /**
   * A shared ledger's backup: the database exported in a turn (no desk changes it meanwhile, and everything in
   * it is committed first), written atomically, then read back and verified; a backup that does not match is
   * removed and the backup fails.
   */
  private async createShared(reason: BackupReason): Promise<BackupFile> {
    const exported = await this.store.turn(async () => {
      const image = this.store.exportImage();
      await this.store.whenAllDurable();
      const report = verifyLedger(this.store.database);
      return { image, accounts: report.checkedAccounts, payments: report.checkedPayments };
    });
    const written = await writeBackup(Buffer.from(exported.image), this.folder(), this.store.ledgerPath, reason);
    const writtenPath = path.join(this.folder(), written.fileName);
    const check = await checkBackupBytes(await fs.readFile(writtenPath), writtenPath);
    const problem = !check.ok ? check.message
      : check.value.accounts !== exported.accounts || check.value.payments !== exported.payments
        ? `it holds ${check.value.accounts} accounts and ${check.value.payments} payments, the ledger ${exported.accounts} and ${exported.payments}.`
        : null;
    if (problem !== null) {
      await fs.rm(writtenPath, { force: true });
      throw new Error(`the backup written was checked and removed: ${problem}`);
    }
    return written;
  }

  /** True when no backup is younger than a day. */
  async dailyDue(nowMs: number): Promise<boolean> {
    const newest = (await listBackups(this.folder(), this.store.ledgerPath))[0];
    return newest === undefined || nowMs - newest.createdAtMs >= backupIntervalMs;
  }
}

/** Copies a closed or checkpointed ledger file into the folder, then rotates. Used on close, when the store is gone. */
export async function copyLedger(ledgerPath: string, folder: string, reason: BackupReason): Promise<BackupFile> {
  return writeBackup(await fs.readFile(ledgerPath), folder, ledgerPath, reason);
}

/** Writes a whole ledger's bytes into the folder under a new name, atomically, then rotates. */
async function writeBackup(bytes: Buffer, folder: string, ledgerPath: string, reason: BackupReason): Promise<BackupFile> {
  await fs.mkdir(folder, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
  const fileName = `${backupPrefix(ledgerPath)}${stamp}-${reason}${backupExtension}`;
  await writeFileAtomic(path.join(folder, fileName), bytes);
  await rotate(folder, ledgerPath);
  const stat = await fs.stat(path.join(folder, fileName));
  return { fileName, sizeBytes: stat.size, createdAtMs: stat.mtimeMs };
}

/** Backups are named after the ledger: its file name, or a shared ledger's host and database (never its password). */
function backupPrefix(ledgerPath: string): string {
  const name = isSharedLedgerUrl(ledgerPath) ? sharedLedgerName(ledgerPath) : path.basename(ledgerPath);
  return `${name.replace(/[^A-Za-z0-9._-]/g, '_')}-`;
}

function sharedLedgerName(location: string): string {
  try {
    const url = new URL(location);
    return `${url.hostname}-${decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres'}`;
  } catch {
    return 'shared-ledger';
  }
}

/** Newest first. */
export async function listBackups(folder: string, ledgerPath: string): Promise<BackupFile[]> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return [];
  }
  const prefix = backupPrefix(ledgerPath);
  const found: BackupFile[] = [];
  for (const fileName of names.filter((name) => name.startsWith(prefix) && name.endsWith(backupExtension))) {
    const stat = await fs.stat(path.join(folder, fileName)).catch(() => null);
    if (stat !== null) found.push({ fileName, sizeBytes: stat.size, createdAtMs: stat.mtimeMs });
  }
  return found.sort((left, right) => right.createdAtMs - left.createdAtMs || right.fileName.localeCompare(left.fileName));
}

async function rotate(folder: string, ledgerPath: string): Promise<void> {
  const backups = await listBackups(folder, ledgerPath);
  for (const old of backups.slice(backupsKept)) await fs.rm(path.join(folder, old.fileName), { force: true });
}
