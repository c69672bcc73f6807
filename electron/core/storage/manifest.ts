import { createHash } from 'node:crypto';
import { writeFileAtomic } from './atomic-file';
import { errorCode, type StorageFileSystem } from './file-system';
import { LedgerOpenError, restoreAdvice } from './ledger-open-error';
import { crc32 } from './crc32';

/**
 * The manifest, `<ledger>.manifest`, records what each checkpoint wrote: the
 * ledger file's size and SHA-256, the LSN it holds, and the journal generation
 * that continues it. A checkpoint writes the manifest (atomically) before it
 * renames the new ledger file into place, and keeps the previous checkpoint's
 * entry beside the new one, so after a crash between the two steps the file on
 * disk still matches one entry. Open and `verify` hash the ledger file and
 * refuse it when it matches none: bit rot, a truncated copy, a file from
 * elsewhere.
 */

export const manifestFormat = 2;
/** The checkpoints one manifest lists: the newest, and the one whose file may still be in place. */
const entriesKept = 2;

export interface CheckpointEntry {
  lsn: number;
  /** The journal generation that holds the records after `lsn`. */
  generation: number;
  sizeBytes: number;
  sha256: string;
}

interface ManifestFile {
  format: number;
  checkpoints: CheckpointEntry[];
  crc32: number;
}

export function manifestPath(ledgerPath: string): string {
  return `${ledgerPath}.manifest`;
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function entryFor(bytes: Uint8Array, lsn: number, generation: number): CheckpointEntry {
  return { lsn, generation, sizeBytes: bytes.length, sha256: sha256Of(bytes) };
}

function checksumOf(checkpoints: CheckpointEntry[]): number {
  return crc32(Buffer.from(JSON.stringify(checkpoints), 'utf8'));
}

/** The manifest's entries, or null when there is no manifest. A damaged manifest refuses the ledger. */
export async function readManifest(files: StorageFileSystem, ledgerPath: string): Promise<CheckpointEntry[] | null> {
  const filePath = manifestPath(ledgerPath);
  let text: string;
  try {
    text = (await files.readFile(filePath)).toString('utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new LedgerOpenError(`${filePath} cannot be read: ${(error as Error).message}`);
  }
  let manifest: Partial<ManifestFile>;
  try {
    manifest = JSON.parse(text) as Partial<ManifestFile>;
  } catch {
    throw new LedgerOpenError(`${filePath} is damaged: it is not readable JSON. ${restoreAdvice}`);
  }
  if (manifest.format !== manifestFormat || !Array.isArray(manifest.checkpoints) || manifest.crc32 !== checksumOf(manifest.checkpoints)) {
    throw new LedgerOpenError(`${filePath} is damaged: its checksum or format does not check out. ${restoreAdvice}`);
  }
  return manifest.checkpoints;
}

/** Records a new checkpoint, keeping the entry of the file it is about to replace. */
export async function writeManifest(
  files: StorageFileSystem, ledgerPath: string, entry: CheckpointEntry, current: CheckpointEntry | null,
): Promise<void> {
  const checkpoints = [entry, ...(current === null ? [] : [current])].slice(0, entriesKept);
  const manifest: ManifestFile = { format: manifestFormat, checkpoints, crc32: checksumOf(checkpoints) };
  await writeFileAtomic(manifestPath(ledgerPath), Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`, 'utf8'), files);
}

/** The entry that the ledger file's bytes match; refuses the file when it matches none. */
export function matchingEntry(ledgerPath: string, bytes: Uint8Array, entries: CheckpointEntry[]): CheckpointEntry {
  const digest = sha256Of(bytes);
  const match = entries.find((entry) => entry.sha256 === digest && entry.sizeBytes === bytes.length);
  if (match !== undefined) return match;
  const newest = entries[0];
  throw new LedgerOpenError(
    `${ledgerPath} is damaged: it does not match the checksum recorded when it was written ` +
      `(expected ${newest.sizeBytes} bytes with SHA-256 ${newest.sha256.slice(0, 16)}…, ` +
        `found ${bytes.length} bytes with ${digest.slice(0, 16)}…). ${restoreAdvice}`,
  );
}
