import path from 'node:path';
import type { StorageFile, StorageFileSystem } from '../../electron/core/storage/file-system';

/**
 * A file system in memory that behaves like a disk under faults, for the
 * storage simulation test. It keeps two states, as SQLite's crash-test VFS and
 * TigerBeetle's simulated storage do: what processes see (volatile) and what
 * would survive a power cut (durable).
 *
 * - A file's bytes become durable at its sync/datasync; a name (create,
 *   rename, link, remove) at the sync of its folder.
 * - `crash()` drops everything volatile, except that an unsynced append may
 *   survive as a random prefix (a torn write), and starts a new "process":
 *   handles from before the crash fail.
 * - `failAfter(n, ...)` fails the nth write or sync from now with ENOSPC or
 *   EIO; a failed write may have written a random prefix first.
 * - `capacityBytes` fills the disk: a write past it writes what fits and fails with ENOSPC.
 */

interface Inode {
  data: Buffer;
  durable: Buffer;
}

type FaultCode = 'ENOSPC' | 'EIO';
type Operation = 'write' | 'sync';

export class SimulatedFileSystem implements StorageFileSystem {
  private entries = new Map<string, Inode>();
  private durableEntries = new Map<string, Inode>();
  private epoch = 0;
  private fault: { remaining: number; code: FaultCode; on: Operation | 'any' } | null = null;
  capacityBytes = Number.POSITIVE_INFINITY;
  faultsInjected = 0;

  constructor(private readonly random: () => number) {}

  /** Fails the nth matching operation from now (1 = the next one). */
  failAfter(operations: number, code: FaultCode, on: Operation | 'any' = 'any'): void {
    this.fault = { remaining: operations, code, on };
  }

  clearFaults(): void {
    this.fault = null;
    this.capacityBytes = Number.POSITIVE_INFINITY;
  }

  usedBytes(): number {
    let total = 0;
    for (const inode of new Set(this.entries.values())) total += inode.data.length;
    return total;
  }

  /** A power cut: only durable names and bytes remain (plus torn prefixes of unsynced appends). */
  crash(): void {
    this.epoch++;
    const survived = new Map<Inode, Inode>();
    for (const inode of new Set(this.durableEntries.values())) {
      let data = inode.durable;
      const extendsDurable = inode.data.length > inode.durable.length && inode.data.subarray(0, inode.durable.length).equals(inode.durable);
      if (extendsDurable && this.random() < 0.5) {
        const extra = inode.data.length - inode.durable.length;
        data = inode.data.subarray(0, inode.durable.length + Math.floor(this.random() * (extra + 1)));
      }
      survived.set(inode, { data: Buffer.from(data), durable: Buffer.from(data) });
    }
    this.entries = new Map([...this.durableEntries].map(([name, inode]) => [name, survived.get(inode)!]));
    this.durableEntries = new Map(this.entries);
    this.fault = null;
  }

  private injected(operation: Operation): FaultCode | null {
    if (this.fault === null || (this.fault.on !== 'any' && this.fault.on !== operation)) return null;
    if (--this.fault.remaining > 0) return null;
    const code = this.fault.code;
    this.fault = null;
    this.faultsInjected++;
    return code;
  }

  /**
   * The file system as one process sees it: after a crash every call through
   * it fails, as a dead process makes no more calls (its timers and promises
   * still run here, in one Node process, and must not touch the files).
   */
  process(): StorageFileSystem {
    const epoch = this.epoch;
    const guard = <Args extends unknown[], T>(call: (...args: Args) => Promise<T>) => async (...args: Args): Promise<T> => {
      this.check(epoch);
      return call(...args);
    };
    return {
      readFile: guard((filePath: string) => this.readFile(filePath)),
      readdir: guard((folder: string) => this.readdir(folder)),
      size: guard((filePath: string) => this.size(filePath)),
      openAppend: guard((filePath: string) => this.openAppend(filePath)),
      createExclusive: guard((filePath: string) => this.createExclusive(filePath)),
      truncate: guard((filePath: string, lengthBytes: number) => this.truncate(filePath, lengthBytes)),
      rename: guard((fromPath: string, toPath: string) => this.rename(fromPath, toPath)),
      link: guard((existingPath: string, newPath: string) => this.link(existingPath, newPath)),
      remove: guard((filePath: string) => this.remove(filePath)),
      syncFolder: guard((folder: string) => this.syncFolder(folder)),
    };
  }

  private check(epoch: number): void {
    if (epoch !== this.epoch) throw errorWith('EBADF', 'the process that opened this file crashed');
  }

  private inode(filePath: string): Inode {
    const inode = this.entries.get(filePath);
    if (inode === undefined) throw errorWith('ENOENT', `no such file: ${filePath}`);
    return inode;
  }

  async readFile(filePath: string): Promise<Buffer> {
    return Buffer.from(this.inode(filePath).data);
  }

  async readdir(folder: string): Promise<string[]> {
    return [...this.entries.keys()].filter((name) => path.dirname(name) === folder).map((name) => path.basename(name));
  }

  async size(filePath: string): Promise<number | null> {
    return this.entries.get(filePath)?.data.length ?? null;
  }

  async openAppend(filePath: string): Promise<StorageFile> {
    return this.handle(this.inode(filePath));
  }

  async createExclusive(filePath: string): Promise<StorageFile> {
    if (this.entries.has(filePath)) throw errorWith('EEXIST', `file exists: ${filePath}`);
    const inode: Inode = { data: Buffer.alloc(0), durable: Buffer.alloc(0) };
    this.entries.set(filePath, inode);
    return this.handle(inode);
  }

  async truncate(filePath: string, lengthBytes: number): Promise<void> {
    const inode = this.inode(filePath);
    inode.data = Buffer.from(inode.data.subarray(0, lengthBytes));
  }

  async rename(fromPath: string, toPath: string): Promise<void> {
    const inode = this.inode(fromPath);
    this.entries.delete(fromPath);
    this.entries.set(toPath, inode);
  }

  async link(existingPath: string, newPath: string): Promise<void> {
    if (this.entries.has(newPath)) throw errorWith('EEXIST', `file exists: ${newPath}`);
    this.entries.set(newPath, this.inode(existingPath));
  }

  async remove(filePath: string): Promise<void> {
    this.entries.delete(filePath);
  }

  async syncFolder(folder: string): Promise<void> {
    const code = this.injected('sync');
    if (code !== null) throw errorWith(code, `fsync of ${folder} failed`);
    for (const name of [...this.durableEntries.keys()]) if (path.dirname(name) === folder && !this.entries.has(name)) this.durableEntries.delete(name);
    for (const [name, inode] of this.entries) if (path.dirname(name) === folder) this.durableEntries.set(name, inode);
  }

  private handle(inode: Inode): StorageFile {
    const epoch = this.epoch;
    const sync = async () => {
      this.check(epoch);
      const code = this.injected('sync');
      if (code !== null) throw errorWith(code, 'fsync failed');
      inode.durable = Buffer.from(inode.data);
    };
    return {
      append: async (chunks) => {
        this.check(epoch);
        const bytes = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)));
        const code = this.injected('write');
        const room = Math.max(0, this.capacityBytes - this.usedBytes());
        if (code !== null || bytes.length > room) {
          const written = Math.min(room, Math.floor(this.random() * (bytes.length + 1)));
          inode.data = Buffer.concat([inode.data, bytes.subarray(0, written)]);
          throw errorWith(code ?? 'ENOSPC', code === 'EIO' ? 'write failed' : 'no space left on device');
        }
        inode.data = Buffer.concat([inode.data, bytes]);
      },
      datasync: sync,
      sync,
      close: async () => undefined,
    };
  }
}

function errorWith(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
