import path from 'node:path';
import type { StorageFile, StorageFileSystem } from './file-system';
import { LedgerOpenError, restoreAdvice } from './ledger-open-error';
import { decodeJournalFile, encodeFileHeader, encodeFrame, type DecodedFile } from './journal-format';

export { encodeFrame, maxRecordBytes } from './journal-format';

/**
 * The write-ahead journal: an append-only sequence of frames, each carrying a
 * log sequence number (LSN) and one JSON record (journal-format.ts has the
 * bytes). A record is acknowledged only after the frame that holds it has been
 * written and fdatasync'd. Records that arrive while a flush is under way share
 * the next flush (group commit). Flushes run one at a time and in order, so a
 * frame is on disk only once every frame before it is.
 *
 * The journal spans files named `<ledger>-journal-<generation>`. A checkpoint
 * closes the current file with a "continues" frame, moves on to the next
 * generation, writes the database, and then retires the older files.
 *
 * Recovery (`readJournal`) cuts only a torn tail: an append a crash cut short
 * at the very end of the last file that holds frames. Anything else that does
 * not check out, anywhere, refuses the ledger.
 */

export interface JournalEntry {
  lsn: number;
  record: unknown;
}

interface JournalFile {
  generation: number;
  filePath: string;
  handle: StorageFile;
  /** The highest LSN appended to this file, or the LSN before its first record. */
  lastLsn: number;
  /** The file's length as of its last successful sync: where a failed write is cut back to. */
  durableBytes: number;
}

interface PendingWrite {
  file: JournalFile;
  frames: Buffer[];
  lastLsn: number;
  /** Counts writes, so a checkpoint can wait for the next file's header, which carries no LSN of its own. */
  sequence: number;
}

interface Waiter {
  lsn: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface RecoveredJournal {
  /** Every ledger record after the checkpoint, in LSN order (control frames left out). */
  entries: JournalEntry[];
  /** The LSN of the last whole frame, control frames included (the checkpoint's when there is none). */
  lastLsn: number;
  /** The file to keep appending to, its valid length, and whether its header still has to be written. */
  tail: { filePath: string; generation: number; validBytes: number; needsHeader: boolean } | null;
  /** Whole files before the tail, with the highest LSN each holds. */
  olderFiles: { filePath: string; generation: number; lastLsn: number }[];
  /** Files a checkpoint had already folded into the ledger file (a retire cut short), and files that never got a header. */
  removable: string[];
  bytesRead: number;
  /** Files written before format 2 (they are folded into a checkpoint at once). */
  legacy: boolean;
}

export interface JournalExpectation {
  /** The LSN the ledger file holds. */
  checkpointLsn: number;
  /** The generation the checkpoint says the journal continues in; null for a ledger from before the manifest. */
  requiredGeneration: number | null;
}

export function journalPrefix(ledgerPath: string): string {
  return `${path.basename(ledgerPath)}-journal-`;
}

export function journalPath(ledgerPath: string, generation: number): string {
  return path.join(path.dirname(ledgerPath), `${journalPrefix(ledgerPath)}${String(generation).padStart(9, '0')}`);
}

export async function listJournalFiles(files: StorageFileSystem, ledgerPath: string): Promise<{ generation: number; filePath: string }[]> {
  const folder = path.dirname(ledgerPath);
  const prefix = journalPrefix(ledgerPath);
  const names = await files.readdir(folder);
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => ({ generation: Number(name.slice(prefix.length)), filePath: path.join(folder, name) }))
    .sort((left, right) => left.generation - right.generation);
}

function refuse(filePath: string, what: string): never {
  throw new LedgerOpenError(`${filePath}: ${what} ${restoreAdvice}`);
}

interface ReadFile {
  generation: number;
  filePath: string;
  decoded: DecodedFile;
}

/**
 * Reads every journal file the checkpoint needs and proves the chain: the
 * generation the checkpoint names is there, generations follow one another,
 * each file starts where the one before ended, LSNs rise by one, and nothing
 * is damaged. Only a torn tail of the last file that holds frames is cut.
 */
export async function readJournal(files: StorageFileSystem, ledgerPath: string, expectation: JournalExpectation): Promise<RecoveredJournal> {
  const listed = await listJournalFiles(files, ledgerPath);
  const required = expectation.requiredGeneration;
  const removable = required === null ? [] : listed.filter((file) => file.generation < required).map((file) => file.filePath);
  const live = required === null ? listed : listed.filter((file) => file.generation >= required);
  if (required !== null && (live.length === 0 || live[0].generation !== required)) {
    refuse(journalPath(ledgerPath, required), `this journal file is missing, but the ledger file's checkpoint says the journal continues ` +
      `in it (generation ${required}); payments acknowledged after the checkpoint would be lost.`);
  }
  live.forEach((file, index) => {
    if (index > 0 && file.generation !== live[index - 1].generation + 1) {
      refuse(journalPath(ledgerPath, live[index - 1].generation + 1), `journal generation ${live[index - 1].generation + 1} is missing ` +
        `between ${live[index - 1].generation} and ${file.generation}.`);
    }
  });
  const read: ReadFile[] = [];
  let bytesRead = 0;
  for (const file of live) {
    const bytes = await files.readFile(file.filePath);
    bytesRead += bytes.length;
    read.push({ ...file, decoded: decodeJournalFile(bytes) });
  }
  return { ...followChain(read, expectation, removable), bytesRead };
}

function followChain(read: ReadFile[], expectation: JournalExpectation, removable: string[]): Omit<RecoveredJournal, 'bytesRead'> {
  const entries: JournalEntry[] = [];
  const olderFiles: RecoveredJournal['olderFiles'] = [];
  let lastLsn: number | null = expectation.requiredGeneration === null ? null : expectation.checkpointLsn;
  let tail: RecoveredJournal['tail'] = null;
  let tornAt: ReadFile | null = null;
  let continuesIn: number | null = null;
  const legacy = read.some((file) => file.decoded.header === null && !file.decoded.headerTorn);
  for (const file of read) {
    const { decoded, filePath, generation } = file;
    if (tornAt !== null) {
      // Past a torn tail only files that never received a whole frame may follow: flushes run in order.
      if (decoded.frames.length > 0) refuse(tornAt.filePath, `a frame at offset ${tornAtOffset(tornAt)} is cut short, yet ${filePath} holds later frames.`);
      removable.push(filePath);
      continue;
    }
    if (decoded.headerTorn) {
      if (file !== read[read.length - 1]) refuse(filePath, 'the file header is missing, though later journal files follow.');
      if (continuesIn === generation) {
        // A checkpoint moved on to this file; the crash came before its header reached the disk.
        // The file before it stays an older file: it is made durable and retired like any other.
        if (tail !== null) olderFiles.push({ filePath: tail.filePath, generation: tail.generation, lastLsn: lastFrameLsn(read, tail.generation) });
        tail = { filePath, generation, validBytes: 0, needsHeader: true };
        continue;
      }
      if (expectation.requiredGeneration === generation) {
        refuse(filePath, "the file header is missing, but the ledger file's checkpoint says the journal continues here.");
      }
      removable.push(filePath);
      continue;
    }
    if (decoded.header === null && expectation.requiredGeneration !== null) {
      refuse(filePath, 'the file does not start with a journal header; it is damaged or not a PayDesk journal.');
    }
    if (decoded.end.kind === 'damaged') refuse(filePath, `${decoded.end.problem} at offset ${decoded.end.offset}; ` +
      `the journal is damaged there, not cut short.`);
    if (decoded.header !== null) {
      if (decoded.header.generation !== generation) refuse(filePath, `the header names generation ${decoded.header.generation}, not ${generation}.`);
      if (lastLsn !== null && decoded.header.startLsn !== lastLsn) {
        refuse(filePath, `the file starts after LSN ${decoded.header.startLsn}, but the journal before it ends at LSN ${lastLsn}.`);
      }
      lastLsn = decoded.header.startLsn;
    }
    if (continuesIn !== null && continuesIn !== generation) refuse(filePath, `the journal before it says it continues in generation ${continuesIn}.`);
    continuesIn = null;
    for (const frame of decoded.frames) {
      if (continuesIn !== null) refuse(filePath, `a frame follows the end-of-file frame at offset ${frame.offset}.`);
      if (lastLsn !== null && frame.lsn !== lastLsn + 1) refuse(filePath, `the frame at offset ${frame.offset} has LSN ` +
        `${frame.lsn}; LSN ${lastLsn + 1} was expected.`);
      lastLsn = frame.lsn;
      if (frame.control !== null) continuesIn = frame.control.generation;
      else if (frame.lsn > expectation.checkpointLsn) entries.push({ lsn: frame.lsn, record: frame.records });
    }
    if (tail !== null) olderFiles.push({ filePath: tail.filePath, generation: tail.generation, lastLsn: lastFrameLsn(read, tail.generation) });
    tail = { filePath, generation, validBytes: decoded.validBytes, needsHeader: false };
    if (decoded.end.kind === 'torn') tornAt = file;
  }
  if (tornAt === null && continuesIn !== null && (tail === null || tail.generation !== continuesIn)) {
    const last = read[read.length - 1];
    refuse(last.filePath, `the file ends saying the journal continues in generation ${continuesIn}, ` +
      `but that file is missing; payments acknowledged after it would be lost.`);
  }
  const finalLsn = lastLsn ?? expectation.checkpointLsn;
  if (entries.length > 0 && entries[0].lsn !== expectation.checkpointLsn + 1) {
    refuse(read[0].filePath, `the journal resumes at LSN ${entries[0].lsn}, but the ledger file ends at LSN ${expectation.checkpointLsn}.`);
  }
  return { entries, lastLsn: Math.max(finalLsn, expectation.checkpointLsn), tail, olderFiles, removable, legacy };
}

function tornAtOffset(file: ReadFile): number {
  return file.decoded.end.kind === 'torn' ? file.decoded.end.offset : file.decoded.validBytes;
}

function lastFrameLsn(read: ReadFile[], generation: number): number {
  const file = read.find((candidate) => candidate.generation === generation)!;
  const frames = file.decoded.frames;
  return frames.length > 0 ? frames[frames.length - 1].lsn : (file.decoded.header?.startLsn ?? 0);
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
  private enqueuedWrites = 0;
  private completedWrites = 0;
  private readonly barriers: { sequence: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  /** Told once, when a write or sync fails: the store stops taking work. */
  onFailure: (error: Error) => void = () => undefined;

  private constructor(
    private readonly files: StorageFileSystem,
    private readonly ledgerPath: string,
    file: JournalFile,
    lastLsn: number,
  ) {
    this.current = file;
    this.lastLsn = lastLsn;
    this.durableLsn = lastLsn;
  }

  /**
   * Opens the journal for appending after recovery: removes what recovery
   * found removable, cuts a torn tail back to its last whole frame, or starts
   * the generation the checkpoint names.
   */
  static async open(
    files: StorageFileSystem, ledgerPath: string, recovered: RecoveredJournal, firstGeneration: number,
  ): Promise<Journal> {
    for (const filePath of recovered.removable) await files.remove(filePath);
    await makeDurable(files, [...recovered.olderFiles.map((file) => file.filePath), ...(recovered.tail === null ? [] : [recovered.tail.filePath])]);
    const lastLsn = recovered.lastLsn;
    let file: JournalFile;
    const tail = recovered.tail;
    if (tail !== null && !recovered.legacy) {
      const size = (await files.size(tail.filePath)) ?? 0;
      if (size > tail.validBytes) await files.truncate(tail.filePath, tail.validBytes);
      const handle = await files.openAppend(tail.filePath);
      const header = tail.needsHeader ? encodeFileHeader(tail.generation, lastLsn) : null;
      if (header !== null) await handle.append([header]);
      if (size > tail.validBytes || header !== null) await handle.datasync();
      file = { generation: tail.generation, filePath: tail.filePath, handle, lastLsn, durableBytes: tail.validBytes + (header?.length ?? 0) };
    } else {
      const generation = tail === null ? firstGeneration : tail.generation + 1;
      file = await createJournalFile(files, ledgerPath, generation, lastLsn);
    }
    await files.syncFolder(path.dirname(ledgerPath));
    const journal = new Journal(files, ledgerPath, file, lastLsn);
    journal.bytesSinceRotation = tail?.validBytes ?? 0;
    // Older files left by a checkpoint that crashed before retiring them (and, for a legacy journal, the tail too).
    const older = recovered.legacy && tail !== null ? [...recovered.olderFiles, { ...tail, lastLsn }] : recovered.olderFiles;
    for (const previous of older) {
      // Never written again, so never cut back: durableBytes is not needed.
      journal.retired.push({ generation: previous.generation, filePath: previous.filePath, handle: closedHandle, lastLsn: previous.lastLsn, durableBytes: 0 });
    }
    return journal;
  }

  /** The highest LSN known to be on disk. */
  get durableThrough(): number {
    return this.durableLsn;
  }

  get lastAppendedLsn(): number {
    return this.lastLsn;
  }

  get bytesInCurrentFile(): number {
    return this.bytesSinceRotation;
  }

  get currentGeneration(): number {
    return this.current.generation;
  }

  /** The write or sync error that stopped the journal, if one did. */
  get failed(): Error | null {
    return this.failure;
  }

  /**
   * Appends one record and returns its LSN. A lazy record (such as measured
   * latencies) does not start a flush of its own: it rides along with the next one.
   */
  append(record: unknown, lazy = false): number {
    if (this.failure !== null) throw this.failure;
    const lsn = this.lastLsn + 1;
    this.enqueue(this.current, encodeFrame(lsn, record), lsn);
    if (!lazy) this.startFlush();
    return lsn;
  }

  private enqueue(file: JournalFile, frame: Buffer, lsn: number): void {
    this.lastLsn = lsn;
    file.lastLsn = lsn;
    this.bytesSinceRotation += frame.length;
    const last = this.pending[this.pending.length - 1];
    if (last !== undefined && last.file === file) {
      last.frames.push(frame);
      last.lastLsn = lsn;
    } else {
      this.pending.push({ file, frames: [frame], lastLsn: lsn, sequence: ++this.enqueuedWrites });
    }
  }

  /** Resolves once every write enqueued so far (headers included) is on disk. */
  whenAllWritten(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const sequence = this.enqueuedWrites;
    if (sequence <= this.completedWrites) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.barriers.push({ sequence, resolve, reject });
      this.startFlush();
    });
  }

  /** Resolves once every record up to `lsn` is on disk. */
  whenDurable(lsn: number): Promise<void> {
    // What is on disk stays acknowledged after a later failure; only what is not yet there fails.
    if (lsn <= this.durableLsn) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.failure);
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
   * Moves the journal on to the next generation. The current file gets a last
   * frame naming the next one, so a missing successor is noticed; the next
   * file's header, which names the LSN it starts after, is its first write.
   * `atSwitch` runs synchronously at the instant of the switch with the last
   * LSN the older files hold, so a checkpoint can export exactly that state:
   * nothing else can run between the switch and the export.
   */
  async rotate<T>(atSwitch: (boundaryLsn: number) => T): Promise<T> {
    if (this.failure !== null) throw this.failure;
    const generation = this.current.generation + 1;
    const filePath = journalPath(this.ledgerPath, generation);
    const handle = await this.files.createExclusive(filePath);
    try {
      await this.files.syncFolder(path.dirname(this.ledgerPath));
    } catch (error) {
      await handle.close().catch(() => undefined);
      await this.files.remove(filePath).catch(() => undefined);
      throw error;
    }
    if (this.failure !== null) throw this.failure;
    const boundaryLsn = this.lastLsn + 1;
    this.enqueue(this.current, encodeFrame(boundaryLsn, { journal: 'continues', generation }), boundaryLsn);
    const next: JournalFile = { generation, filePath, handle, lastLsn: boundaryLsn, durableBytes: 0 };
    this.pending.push({ file: next, frames: [encodeFileHeader(generation, boundaryLsn)], lastLsn: boundaryLsn, sequence: ++this.enqueuedWrites });
    this.retired.push(this.current);
    this.current = next;
    this.bytesSinceRotation = 0;
    this.startFlush();
    return atSwitch(boundaryLsn);
  }

  /** Removes the older files whose records are all at or below `checkpointLsn`, once flushed. */
  async retire(checkpointLsn: number): Promise<void> {
    await this.whenDurable(checkpointLsn);
    let removed = false;
    while (this.retired.length > 0 && this.retired[0].lastLsn <= checkpointLsn) {
      const file = this.retired.shift()!;
      await file.handle.close().catch(() => undefined);
      await this.files.remove(file.filePath);
      removed = true;
    }
    if (removed) await this.files.syncFolder(path.dirname(this.ledgerPath));
  }

  /** Flushes (unless a write already failed) and closes every file. */
  async close(): Promise<void> {
    try {
      if (this.failure === null) await this.flush();
    } finally {
      for (const file of [...this.retired, this.current]) await file.handle.close().catch(() => undefined);
    }
  }

  /** Closes every file without flushing: what a failed or read-only ledger does. */
  async abandon(): Promise<void> {
    this.failure ??= new Error('the journal was closed');
    for (const waiter of [...this.waiters.splice(0), ...this.barriers.splice(0)]) waiter.reject(this.failure);
    this.pending.length = 0;
    for (const file of [...this.retired, this.current]) await file.handle.close().catch(() => undefined);
  }

  /**
   * Starts a flush once the current turn of the event loop is done: every
   * submission that the last flush's acknowledgements set going appends its
   * record first, so they share one write and one fdatasync instead of the
   * first going alone.
   */
  private startFlush(): void {
    if (this.flushing || this.pending.length === 0 || this.failure !== null) return;
    this.flushing = true;
    setImmediate(() => void this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    let write: PendingWrite | undefined;
    try {
      while (this.pending.length > 0 && this.failure === null) {
        write = this.pending.shift()!;
        await write.file.handle.append(write.frames);
        await write.file.handle.datasync();
        write.file.durableBytes += byteLength(write.frames);
        this.durableLsn = write.lastLsn;
        this.completedWrites = write.sequence;
        this.releaseWaiters();
      }
    } catch (error) {
      if (write !== undefined) await this.cutBack(write.file);
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.flushing = false;
    }
    if (this.failure === null && this.pending.length > 0) this.startFlush();
  }

  /**
   * Cuts a file back to its last synced length after a write or sync failed.
   * A disk that fills part-way through a write of several frames keeps the
   * whole ones at its start; none of them was acknowledged, and without the cut
   * the next open would replay them: a batch chunk the results never listed, a
   * payment its caller was told may not have been recorded. Best effort: where
   * the cut fails too, those frames stay what a crash leaves, unacknowledged
   * and replayed.
   */
  private async cutBack(file: JournalFile): Promise<void> {
    try {
      await this.files.truncate(file.filePath, file.durableBytes);
      await file.handle.datasync();
    } catch {
      // Left as a crash would leave it (above).
    }
  }

  private releaseWaiters(): void {
    let kept = 0;
    for (const waiter of this.waiters) {
      if (waiter.lsn <= this.durableLsn) waiter.resolve();
      else this.waiters[kept++] = waiter;
    }
    this.waiters.length = kept;
    let keptBarriers = 0;
    for (const barrier of this.barriers) {
      if (barrier.sequence <= this.completedWrites) barrier.resolve();
      else this.barriers[keptBarriers++] = barrier;
    }
    this.barriers.length = keptBarriers;
  }

  private fail(error: Error): void {
    const failure = new JournalWriteError(error);
    this.failure = failure;
    this.pending.length = 0;
    for (const waiter of [...this.waiters.splice(0), ...this.barriers.splice(0)]) waiter.reject(failure);
    this.onFailure(failure);
  }
}

/** A write or sync of the journal failed: what it had not yet made durable was never acknowledged. */
export class JournalWriteError extends Error {
  readonly code: string | undefined;

  constructor(override readonly cause: Error) {
    super(`the journal could not be written: ${cause.message}`);
    this.code = (cause as NodeJS.ErrnoException).code;
  }
}

/**
 * Syncs the journal files recovery read before anything is built on them. A
 * frame whose sync failed may still be in the page cache, readable but not on
 * disk (as after fsync's EIO on Linux); a later generation written on top of it
 * would outlive it at the next crash and break the chain.
 */
async function makeDurable(files: StorageFileSystem, filePaths: string[]): Promise<void> {
  for (const filePath of filePaths) {
    const handle = await files.openAppend(filePath);
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}

/** Stands in for the handle of an older file found at open: it is only ever removed, never written. */
const closedHandle: StorageFile = {
  append: () => Promise.reject(new Error('an older journal file is read-only')),
  datasync: () => Promise.resolve(),
  sync: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/** Creates a new generation and writes its header, durably, before anything is appended. */
async function createJournalFile(files: StorageFileSystem, ledgerPath: string, generation: number, startLsn: number): Promise<JournalFile> {
  const filePath = journalPath(ledgerPath, generation);
  const handle = await files.createExclusive(filePath);
  const header = encodeFileHeader(generation, startLsn);
  try {
    await handle.append([header]);
    await handle.datasync();
    await files.syncFolder(path.dirname(ledgerPath));
  } catch (error) {
    await handle.close().catch(() => undefined);
    await files.remove(filePath).catch(() => undefined);
    throw error;
  }
  return { generation, filePath, handle, lastLsn: startLsn, durableBytes: header.length };
}

function byteLength(chunks: readonly Uint8Array[]): number {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  return total;
}
