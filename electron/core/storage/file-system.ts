import { promises as fs, constants as fsConstants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * The file operations the ledger's storage needs, and nothing more: the
 * journal, the checkpoint, the manifest and the lock reach the disk only
 * through this. The real implementation is Node's fs; the tests put a
 * fault-injecting one in its place (test/support/simulated-file-system.ts)
 * that fails the Nth write or sync, tears writes and drops unsynced data at a
 * crash, the way SQLite's crash-test VFS and TigerBeetle's simulated storage do.
 *
 * Errors carry Node's `code` (ENOENT, EEXIST, ENOSPC, EIO, ...).
 */
export interface StorageFile {
  /** Appends every chunk, in order; resolves only once all of them are written (a short write is an error). */
  append(chunks: readonly Uint8Array[]): Promise<void>;
  /** Flushes the file's data (fdatasync). */
  datasync(): Promise<void>;
  /** Flushes data and metadata (fsync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface StorageFileSystem {
  readFile(filePath: string): Promise<Buffer>;
  readdir(folder: string): Promise<string[]>;
  /** The size in bytes, or null when nothing is there. */
  size(filePath: string): Promise<number | null>;
  /** Opens an existing file for appending. */
  openAppend(filePath: string): Promise<StorageFile>;
  /** Creates a file that must not exist yet (O_EXCL) and opens it for appending. */
  createExclusive(filePath: string): Promise<StorageFile>;
  truncate(filePath: string, lengthBytes: number): Promise<void>;
  rename(fromPath: string, toPath: string): Promise<void>;
  /** Makes `newPath` a second name of `existingPath`; fails with EEXIST when `newPath` exists. */
  link(existingPath: string, newPath: string): Promise<void>;
  /** Removes a file; nothing there is not an error. */
  remove(filePath: string): Promise<void>;
  /** Flushes a folder's entries (a created, renamed or removed file) to disk. */
  syncFolder(folder: string): Promise<void>;
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

class NodeStorageFile implements StorageFile {
  constructor(private readonly handle: FileHandle) {}

  async append(chunks: readonly Uint8Array[]): Promise<void> {
    let pending = chunks.filter((chunk) => chunk.length > 0);
    // A disk that fills mid-write returns a short count first and ENOSPC only on
    // the next call: keep writing the rest, so a short write surfaces as its error.
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle.writev(pending as Uint8Array[]);
      pending = remainderAfter(pending, bytesWritten);
    }
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function remainderAfter(chunks: readonly Uint8Array[], bytesWritten: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = bytesWritten;
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    rest.push(skip === 0 ? chunk : chunk.subarray(skip));
    skip = 0;
  }
  return rest;
}

export const nodeFileSystem: StorageFileSystem = {
  readFile: (filePath) => fs.readFile(filePath),
  readdir: (folder) => fs.readdir(folder),
  async size(filePath) {
    try {
      return (await fs.stat(filePath)).size;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  },
  openAppend: async (filePath) => new NodeStorageFile(await fs.open(filePath, fsConstants.O_WRONLY | fsConstants.O_APPEND)),
  createExclusive: async (filePath) =>
    new NodeStorageFile(await fs.open(filePath, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | fsConstants.O_EXCL)),
  truncate: (filePath, lengthBytes) => fs.truncate(filePath, lengthBytes),
  rename: (fromPath, toPath) => fs.rename(fromPath, toPath),
  link: (existingPath, newPath) => fs.link(existingPath, newPath),
  remove: (filePath) => fs.rm(filePath, { force: true }),
  async syncFolder(folder) {
    // Windows cannot open folders, and has no need to: its renames are durable once done.
    if (process.platform === 'win32') return;
    const handle = await fs.open(path.resolve(folder), 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
