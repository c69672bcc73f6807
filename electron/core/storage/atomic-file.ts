import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { errorCode, nodeFileSystem, type StorageFileSystem } from './file-system';

/** How long to keep retrying a rename that a virus scanner blocks on Windows. */
const renameRetryLimitMs = 2_000;
const renameRetryDelayMs = 50;

/** Temporary files are named `<target>.tmp-<pid>-<random>`; an open removes those a failed attempt left. */
export const temporarySuffix = '.tmp-';

/**
 * Replaces a file atomically: the data goes to a temporary file in the same
 * folder, is flushed to disk, renamed over the target, and the folder itself is
 * flushed so the rename survives power loss. A crash at any instant leaves
 * either the old file or the new one, never a truncated mix. A failure at any
 * step removes the temporary file, so a full disk is not made fuller by retries.
 */
export async function writeFileAtomic(targetPath: string, data: Uint8Array, files: StorageFileSystem = nodeFileSystem): Promise<void> {
  const temporaryPath = `${targetPath}${temporarySuffix}${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const file = await files.createExclusive(temporaryPath);
    try {
      await file.append([data]);
      await file.sync();
    } finally {
      await file.close().catch(() => undefined);
    }
    await renameWithRetry(files, temporaryPath, targetPath);
  } catch (error) {
    await files.remove(temporaryPath).catch(() => undefined);
    throw error;
  }
  await files.syncFolder(path.dirname(targetPath));
}

async function renameWithRetry(files: StorageFileSystem, from: string, to: string): Promise<void> {
  const startedAtMs = Date.now();
  for (;;) {
    try {
      await files.rename(from, to);
      return;
    } catch (error) {
      const code = errorCode(error);
      const retriable = process.platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY');
      if (!retriable || Date.now() - startedAtMs > renameRetryLimitMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, renameRetryDelayMs));
    }
  }
}

/** Removes the temporary files that failed attempts to replace any of `targetPaths` left behind. */
export async function removeTemporaryFiles(files: StorageFileSystem, targetPaths: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  const byFolder = new Map<string, string[]>();
  for (const target of targetPaths) {
    const folder = path.dirname(target);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), `${path.basename(target)}${temporarySuffix}`]);
  }
  for (const [folder, prefixes] of byFolder) {
    for (const name of await files.readdir(folder)) {
      if (!prefixes.some((prefix) => name.startsWith(prefix))) continue;
      await files.remove(path.join(folder, name));
      removed.push(name);
    }
    if (removed.length > 0) await files.syncFolder(folder);
  }
  return removed;
}
