import { promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from './crc32';
import { fsyncDirectory } from './atomic-file';

/**
 * The write-ahead journal: an append-only sequence of frames, each carrying a
 * log sequence number (LSN) and one JSON record. A record is acknowledged only
 * after the frame that holds it has been written and fdatasync'd. Records that
 * arrive while a flush is under way share the next flush (group commit).
 *
 * Frame layout (little-endian): u32 payload length, u32 CRC-32 over the LSN and
 * payload, u32 LSN low word, u32 LSN high word, payload bytes. A frame whose
 * length or CRC does not check out is a torn tail: it and everything after it
 * was never acknowledged and is dropped on recovery.
 *
 * The journal spans files named `<ledger>-journal-<generation>`. A checkpoint
 * rotates to a new file, writes the database, and then retires the old files.
 */

const frameHeaderBytes = 16;
/** A single record larger than this is a programmer error (a batch chunk is far smaller). */
export const maxRecordBytes = 256 * 1024 * 1024;

export interface JournalEntry {
  lsn: number;
  record: unknown;
}

interface JournalFile {
  generation: number;
  filePath: string;
  handle: FileHandle;
  /** The highest LSN appended to this file, or the LSN before its first record. */
  lastLsn: number;
}

interface PendingWrite {
  file: JournalFile;
  frames: Buffer[];
  lastLsn: number;
}

interface Waiter {
  lsn: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface RecoveredJournal {
  entries: JournalEntry[];
  /** The file to keep appending to and its valid length; null when no journal file exists. */
  tail: { filePath: string; generation: number; validBytes: number } | null;
  /** Whole files before the tail, with the highest LSN each holds. */
  olderFiles: { filePath: string; generation: number; lastLsn: number }[];
  /** Files past a torn frame: never acknowledged, removed on open. */
  orphanPaths: string[];
  bytesRead: number;
}

export function journalPrefix(ledgerPath: string): string {
  return `${path.basename(ledgerPath)}-journal-`;
}

function journalPath(ledgerPath: string, generation: number): string {
  return path.join(path.dirname(ledgerPath), `${journalPrefix(ledgerPath)}${String(generation).padStart(9, '0')}`);
}

export async function listJournalFiles(ledgerPath: string): Promise<{ generation: number; filePath: string }[]> {
  const folder = path.dirname(ledgerPath);
  const prefix = journalPrefix(ledgerPath);
  const names = await fs.readdir(folder);
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => ({ generation: Number(name.slice(prefix.length)), filePath: path.join(folder, name) }))
    .sort((left, right) => left.generation - right.generation);
}

export function encodeFrame(lsn: number, record: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  if (payload.length > maxRecordBytes) throw new Error(`journal record of ${payload.length} bytes is over the limit`);
  const frame = Buffer.allocUnsafe(frameHeaderBytes + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(lsn % 0x1_0000_0000, 8);
  frame.writeUInt32LE(Math.floor(lsn / 0x1_0000_0000), 12);
  payload.copy(frame, frameHeaderBytes);
  frame.writeUInt32LE(crc32(frame, 8), 4);
  return frame;
}

/** Decodes the whole frames of one file; stops at the first torn or corrupt frame. */
export function decodeFrames(bytes: Buffer): { entries: JournalEntry[]; validBytes: number } {
  const entries: JournalEntry[] = [];
  let offset = 0;
  while (offset + frameHeaderBytes <= bytes.length) {
    const payloadBytes = bytes.readUInt32LE(offset);
    const end = offset + frameHeaderBytes + payloadBytes;
    if (payloadBytes > maxRecordBytes || end > bytes.length) break;
    if (crc32(bytes, offset + 8, end) !== bytes.readUInt32LE(offset + 4)) break;
    const lsn = bytes.readUInt32LE(offset + 8) + bytes.readUInt32LE(offset + 12) * 0x1_0000_0000;
    let record: unknown;
    try {
      record = JSON.parse(bytes.toString('utf8', offset + frameHeaderBytes, end));
    } catch {
      break;
    }
    entries.push({ lsn, record });
    offset = end;
  }
  return { entries, validBytes: offset };
}

/** Reads every journal file of a ledger in order, up to the first torn frame. */
export async function readJournal(ledgerPath: string): Promise<RecoveredJournal> {
  const files = await listJournalFiles(ledgerPath);
  const recovered: RecoveredJournal = { entries: [], tail: null, olderFiles: [], orphanPaths: [], bytesRead: 0 };
  let torn = false;
  for (const file of files) {
    if (torn) {
      recovered.orphanPaths.push(file.filePath);
      continue;
    }
    const bytes = await fs.readFile(file.filePath);
    recovered.bytesRead += bytes.length;
    const decoded = decodeFrames(bytes);
    for (const entry of decoded.entries) recovered.entries.push(entry);
    if (recovered.tail !== null) {
      const previousLast = recovered.entries.length - decoded.entries.length - 1;
      const lastLsn = previousLast >= 0 ? recovered.entries[previousLast].lsn : 0;
      recovered.olderFiles.push({ filePath: recovered.tail.filePath, generation: recovered.tail.generation, lastLsn });
    }
    recovered.tail = { filePath: file.filePath, generation: file.generation, validBytes: decoded.validBytes };
    torn = decoded.validBytes < bytes.length;
  }
  return recovered;
}

export class Journal {
  private current: JournalFile;
  private readonly retired: JournalFile[] = [];
  private readonly pending: PendingWrite[] = [];
  private readonly waiters: Waiter[] = [];
  private flushing = false;
  private failure: Error | null = null;
  private lastLsn: number;
  private durableLsn: number;
  private bytesSinceRotation = 0;

  private constructor(
    private readonly ledgerPath: string,
    file: JournalFile,
    lastLsn: number,
  ) {
    this.current = file;
    this.lastLsn = lastLsn;
    this.durableLsn = lastLsn;
  }

  /**
   * Opens the journal for appending after recovery: keeps the tail file (cut
   * back to its last whole frame) or starts a new one after `lastLsn`.
   */
  static async open(ledgerPath: string, recovered: RecoveredJournal, lastLsn: number): Promise<Journal> {
    for (const orphan of recovered.orphanPaths) await fs.rm(orphan, { force: true });
    let file: JournalFile;
    if (recovered.tail !== null) {
      const { filePath, generation, validBytes } = recovered.tail;
      const stats: Stats = await fs.stat(filePath);
      if (stats.size > validBytes) await fs.truncate(filePath, validBytes);
      const handle = await fs.open(filePath, 'a');
      if (stats.size > validBytes) await handle.datasync();
      file = { generation, filePath, handle, lastLsn };
    } else {
      file = await createJournalFile(ledgerPath, 1, lastLsn);
    }
    const journal = new Journal(ledgerPath, file, lastLsn);
    journal.bytesSinceRotation = recovered.tail?.validBytes ?? 0;
    // Older files left by a checkpoint that crashed before retiring them.
    for (const older of recovered.olderFiles) {
      const handle = await fs.open(older.filePath, 'r');
      journal.retired.push({ generation: older.generation, filePath: older.filePath, handle, lastLsn: older.lastLsn });
    }
    return journal;
  }

  get lastAppendedLsn(): number {
    return this.lastLsn;
  }

  get bytesInCurrentFile(): number {
    return this.bytesSinceRotation;
  }

  /**
   * Appends one record and returns its LSN. A lazy record (such as measured
   * latencies) does not start a flush of its own: it rides along with the next one.
   */
  append(record: unknown, lazy = false): number {
    if (this.failure !== null) throw this.failure;
    const lsn = this.lastLsn + 1;
    const frame = encodeFrame(lsn, record);
    this.lastLsn = lsn;
    this.current.lastLsn = lsn;
    this.bytesSinceRotation += frame.length;
    const last = this.pending[this.pending.length - 1];
    if (last !== undefined && last.file === this.current) {
      last.frames.push(frame);
      last.lastLsn = lsn;
    } else {
      this.pending.push({ file: this.current, frames: [frame], lastLsn: lsn });
    }
    if (!lazy) this.startFlush();
    return lsn;
  }

  /** Resolves once every record up to `lsn` is on disk. */
  whenDurable(lsn: number): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (lsn <= this.durableLsn) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ lsn, resolve, reject });
      this.startFlush();
    });
  }

  /** Flushes everything appended so far, lazy records included. */
  async flush(): Promise<void> {
    await this.whenDurable(this.lastLsn);
  }

  /**
   * Starts a new journal file for every record appended from now on. `atSwitch`
   * runs synchronously at the instant of the switch with the last LSN the older
   * files hold, so a checkpoint can export exactly that state: nothing else can
   * run between the switch and the export.
   */
  async rotate<T>(atSwitch: (boundaryLsn: number) => T): Promise<T> {
    const next = await createJournalFile(this.ledgerPath, this.current.generation + 1, this.lastLsn);
    next.lastLsn = this.lastLsn;
    this.retired.push(this.current);
    this.current = next;
    this.bytesSinceRotation = 0;
    return atSwitch(this.lastLsn);
  }

  /** Removes the older files whose records are all at or below `checkpointLsn`, once flushed. */
  async retire(checkpointLsn: number): Promise<void> {
    await this.whenDurable(checkpointLsn);
    while (this.retired.length > 0 && this.retired[0].lastLsn <= checkpointLsn) {
      const file = this.retired.shift()!;
      await file.handle.close();
      await fs.rm(file.filePath, { force: true });
    }
    await fsyncDirectory(path.dirname(this.ledgerPath));
  }

  async close(): Promise<void> {
    if (this.failure === null) await this.flush();
    for (const file of [...this.retired, this.current]) await file.handle.close().catch(() => undefined);
  }

  /**
   * Starts a flush once the current turn of the event loop is done: every
   * submission that the last flush's acknowledgements set going appends its
   * record first, so they share one write and one fdatasync instead of the
   * first going alone.
   */
  private startFlush(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    setImmediate(() => void this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const write = this.pending.shift()!;
        await write.file.handle.writev(write.frames);
        await write.file.handle.datasync();
        this.durableLsn = write.lastLsn;
        this.releaseWaiters();
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.flushing = false;
    }
    if (this.failure === null && this.pending.length > 0) this.startFlush();
  }

  private releaseWaiters(): void {
    let kept = 0;
    for (const waiter of this.waiters) {
      if (waiter.lsn <= this.durableLsn) waiter.resolve();
      else this.waiters[kept++] = waiter;
    }
    this.waiters.length = kept;
  }

  private fail(error: Error): void {
    this.failure = new Error(`the journal could not be written: ${error.message}`);
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }
}

async function createJournalFile(ledgerPath: string, generation: number, lastLsn: number): Promise<JournalFile> {
  const filePath = journalPath(ledgerPath, generation);
  const handle = await fs.open(filePath, 'a');
  await fsyncDirectory(path.dirname(ledgerPath));
  return { generation, filePath, handle, lastLsn };
}
