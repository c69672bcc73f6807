import { promises as fs } from 'node:fs';
import path from 'node:path';

/** How long to keep retrying a rename that a virus scanner blocks on Windows. */
const renameRetryLimitMs = 2_000;
const renameRetryDelayMs = 50;

/**
 * Replaces a file atomically: the data goes to a temporary file in the same
 * folder, is flushed to disk, renamed over the target, and the folder itself is
 * flushed so the rename survives power loss. A crash at any instant leaves
 * either the old file or the new one, never a truncated mix.
 */
export async function writeFileAtomic(targetPath: string, data: Uint8Array): Promise<void> {
  const temporaryPath = `${targetPath}.tmp-${process.pid}-${Date.now()}`;
  const handle = await fs.open(temporaryPath, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await renameWithRetry(temporaryPath, targetPath);
  } catch (error) {
    await fs.rm(temporaryPath, { force: true });
    throw error;
  }
  await fsyncDirectory(path.dirname(targetPath));
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  const startedAtMs = Date.now();
  for (;;) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const retriable = code === 'EPERM' || code === 'EACCES' || code === 'EBUSY';
      if (!retriable || Date.now() - startedAtMs > renameRetryLimitMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, renameRetryDelayMs));
    }
  }
}

/** Flushes a folder's entries (a rename or a new file) to disk. Windows cannot open folders; it has no need. */
export async function fsyncDirectory(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
