import { readFileSync } from 'node:fs';
import { nodeFileSystem } from '../../electron/core/storage/file-system';
import { entryFor, readManifest, writeManifest } from '../../electron/core/storage/manifest';

/**
 * Records the ledger file's current bytes in its manifest, as someone who
 * edits the file and also rewrites the manifest would: tests of the checks
 * behind the checksum (the audit chain, migrations of old files) use it.
 */
export async function resealLedgerFile(ledgerPath: string): Promise<void> {
  const entries = await readManifest(nodeFileSystem, ledgerPath);
  if (entries === null) throw new Error(`${ledgerPath} has no manifest`);
  const bytes = readFileSync(ledgerPath);
  await writeManifest(nodeFileSystem, ledgerPath, entryFor(bytes, entries[0].lsn, entries[0].generation), null);
}
