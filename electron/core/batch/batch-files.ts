import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { batchLimits } from '../../../shared/batch';
import { displayLocation, isSharedLedgerUrl } from '../storage/postgres-log';
import { BatchFileError } from './csv-source';

/**
 * Batch files live in a folder beside the ledger (`<ledger>-batches/<fileId>.csv`):
 * an upload from the page is appended there chunk by chunk, and a file named
 * on the command line is copied there, so resuming a batch after a crash never
 * depends on the operator's file staying where it was.
 */

export function batchFolder(ledgerPath: string): string {
  // A shared ledger has no folder of its own: its batch files stay on this desk, under the user's PayDesk folder.
  if (isSharedLedgerUrl(ledgerPath)) {
    const key = createHash('sha256').update(displayLocation(ledgerPath)).digest('hex').slice(0, 16);
    return path.join(os.homedir(), '.paydesk', 'shared-ledger-batches', key);
  }
  return `${ledgerPath}-batches`;
}

export function batchFilePath(ledgerPath: string, fileId: string): string {
  return path.join(batchFolder(ledgerPath), `${fileId}.csv`);
}

export function newFileId(): string {
  return randomBytes(16).toString('hex');
}

/** Appends one chunk of an upload; the offset must be the bytes already received, so a repeated chunk is refused. */
export async function appendUpload(ledgerPath: string, fileId: string, offset: number, text: string): Promise<number | string> {
  await fs.mkdir(batchFolder(ledgerPath), { recursive: true });
  const filePath = batchFilePath(ledgerPath, fileId);
  const size = await fs.stat(filePath).then((stat) => stat.size, () => -1);
  if (offset === 0 && size <= 0) {
    // A new upload, or one whose first chunk is being retried.
  } else if (size < 0) {
    return `No upload with id ${fileId} is under way; start the upload again.`;
  } else if (size !== offset) {
    return `The upload holds ${size} bytes but this chunk starts at ${offset}; send the chunk that starts at ${size}.`;
  }
  const bytes = Buffer.from(text, 'utf8');
  if (offset + bytes.length > batchLimits.fileBytes) return `A batch file may hold at most ${batchLimits.fileBytes} bytes.`;
  const handle = await fs.open(filePath, offset === 0 ? 'w' : 'a');
  try {
    await handle.write(bytes);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return offset + bytes.length;
}

/** Copies a file named on the command line into the batch folder; returns its new id. */
export async function importFile(ledgerPath: string, sourcePath: string): Promise<string> {
  await fs.mkdir(batchFolder(ledgerPath), { recursive: true });
  const fileId = newFileId();
  const target = batchFilePath(ledgerPath, fileId);
  try {
    await fs.copyFile(sourcePath, target);
    const handle = await fs.open(target, 'r');
    await handle.datasync();
    await handle.close();
  } catch (error) {
    await fs.rm(target, { force: true });
    if (isDiskFull(error)) {
      throw new BatchFileError(
        `The disk holding ${batchFolder(ledgerPath)} is full (or its quota is used up), so ${sourcePath} could not be copied there; ` +
          'free some space and import it again. Nothing was imported.',
      );
    }
    throw new BatchFileError(`${sourcePath} cannot be read: ${(error as Error).message}`);
  }
  return fileId;
}

/** No space left on the device (ENOSPC), or the user's disk quota is used up (EDQUOT): a full disk, not an unreadable source. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export async function removeFile(ledgerPath: string, fileId: string): Promise<void> {
  await fs.rm(batchFilePath(ledgerPath, fileId), { force: true });
}
