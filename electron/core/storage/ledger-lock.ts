import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorCode, nodeFileSystem, type StorageFileSystem } from './file-system';
import { LedgerOpenError } from './ledger-open-error';

/**
 * One process at a time holds a ledger. The lock is a file beside the ledger,
 * `<ledger>.lock.<N>`, and the holder is whoever created the highest N while
 * every lower one's holder was gone:
 *
 * - Created in one step with its owner inside: the identity is written to a
 *   temporary file and fsync'd, then link(2)ed to the lock's name, which fails
 *   if the name exists. Nobody ever sees an empty or half-written lock.
 * - A stale lock is never removed to make room (remove-then-create races: two
 *   contenders can both remove and both create). A contender that finds the
 *   highest lock's owner gone creates N + 1 instead; only one can. It then
 *   looks again, and backs off if a higher lock appeared meanwhile.
 * - An owner is gone when its process is gone, or when the pid now belongs to
 *   a process that started at another time (pid reuse), or the machine has
 *   rebooted since (boot id). A lock from another host is never judged.
 * - Release removes only the holder's own file.
 *
 * This is the same idea as a ticket lock: the ticket is the file name, and the
 * file system's atomic link hands each ticket out once.
 */

const lockInfix = '.lock.';
const legacyLockSuffix = '.lock';
const attemptsLimit = 20;
const retryDelayMs = 25;

interface LockIdentity {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux); null where the system does not say. */
  startTicks: string | null;
  bootId: string | null;
  host: string;
  token: string;
  acquiredAt: string;
}

export interface LedgerLock {
  lockPath: string;
  release(): Promise<void>;
}

/** Raised when no lock can be written because the ledger's folder is read-only. */
export class ReadOnlyFolderError extends LedgerOpenError {}

const ownTokens = new Set<string>();

export async function acquireLedgerLock(ledgerPath: string, files: StorageFileSystem = nodeFileSystem): Promise<LedgerLock> {
  const folder = path.dirname(ledgerPath);
  const identity = ownIdentity();
  for (let attempt = 0; attempt < attemptsLimit; attempt++) {
    const numbers = await lockNumbers(files, ledgerPath);
    const highest = numbers.length > 0 ? numbers[numbers.length - 1] : 0;
    if (highest > 0) await refuseIfHeld(files, ledgerPath, lockFilePath(ledgerPath, highest));
    await refuseIfLegacyHeld(files, ledgerPath);
    const lockPath = lockFilePath(ledgerPath, highest + 1);
    if (!(await linkIdentity(files, ledgerPath, lockPath, identity))) {
      await delay(retryDelayMs * (1 + Math.random()));
      continue;
    }
    const after = await lockNumbers(files, ledgerPath);
    if (after[after.length - 1] > highest + 1) {
      // Someone took a higher ticket on an older view of the folder: theirs stands, ours goes.
      await files.remove(lockPath);
      continue;
    }
    await files.syncFolder(folder);
    ownTokens.add(identity.token);
    await removeStale(files, ledgerPath, numbers);
    return { lockPath, release: () => release(files, lockPath, identity.token) };
  }
  throw new LedgerOpenError(`${ledgerPath} cannot be locked: other PayDesk processes keep taking it. Try again.`);
}

function lockFilePath(ledgerPath: string, number: number): string {
  return `${ledgerPath}${lockInfix}${number}`;
}

async function lockNumbers(files: StorageFileSystem, ledgerPath: string): Promise<number[]> {
  const prefix = `${path.basename(ledgerPath)}${lockInfix}`;
  let names: string[];
  try {
    names = await files.readdir(path.dirname(ledgerPath));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new LedgerOpenError(`the folder of ${ledgerPath} does not exist.`);
    throw error;
  }
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((left, right) => left - right);
}

/** Writes the identity to a temporary file and links it to `lockPath`; false when the name was taken first. */
async function linkIdentity(files: StorageFileSystem, ledgerPath: string, lockPath: string, identity: LockIdentity): Promise<boolean> {
  const temporaryPath = `${ledgerPath}.lock-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const file = await files.createExclusive(temporaryPath);
    try {
      await file.append([Buffer.from(JSON.stringify(identity))]);
      await file.sync();
    } finally {
      await file.close();
    }
    await files.link(temporaryPath, lockPath);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
      throw new ReadOnlyFolderError(`${ledgerPath} cannot be locked for writing: its folder is read-only (${code}).`);
    }
    throw new LedgerOpenError(`${ledgerPath} cannot be locked: ${(error as Error).message}`);
  } finally {
    await files.remove(temporaryPath).catch(() => undefined);
  }
}

async function refuseIfHeld(files: StorageFileSystem, ledgerPath: string, lockPath: string): Promise<void> {
  let holder: Partial<LockIdentity>;
  try {
    holder = JSON.parse((await files.readFile(lockPath)).toString('utf8')) as Partial<LockIdentity>;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw new LedgerOpenError(
      `${ledgerPath} is locked by ${lockPath}, which cannot be read. If no PayDesk has this ledger open, remove that file and try again.`,
    );
  }
  const verdict = ownerVerdict(holder);
  if (verdict === 'gone') return;
  if (verdict === 'this process') throw new LedgerOpenError(`${ledgerPath} is already open in this PayDesk window or command.`);
  const where = verdict === 'other host' ? `on the computer ${holder.host}` : 'on this computer';
  throw new LedgerOpenError(
    `${ledgerPath} is open in another PayDesk process (pid ${holder.pid} ${where}, since ${holder.acquiredAt}). ` +
      `Close it there first. If no PayDesk is running with that pid, remove ${lockPath} and try again.`,
  );
}

/** A lock file from before numbered locks held only a pid. */
async function refuseIfLegacyHeld(files: StorageFileSystem, ledgerPath: string): Promise<void> {
  const legacyPath = `${ledgerPath}${legacyLockSuffix}`;
  const text = await files.readFile(legacyPath).then((bytes) => bytes.toString('utf8'), () => null);
  if (text === null) return;
  const pid = Number(text);
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processExists(pid)) {
    throw new LedgerOpenError(
      `${ledgerPath} is open in an older PayDesk process (pid ${pid}). Close it first; if no PayDesk runs with that pid, remove ${legacyPath}.`,
    );
  }
}

export type OwnerVerdict = 'alive' | 'gone' | 'this process' | 'other host';

/** Whether the process that wrote a lock still runs: pid, and the same start time and boot, on this host. */
export function ownerVerdict(holder: Partial<LockIdentity>): OwnerVerdict {
  const own = ownIdentity();
  if (holder.host !== own.host) return 'other host';
  if (holder.bootId != null && own.bootId != null && holder.bootId !== own.bootId) return 'gone';
  if (typeof holder.pid !== 'number' || !processExists(holder.pid)) return 'gone';
  const startTicks = processStartTicks(holder.pid);
  if (holder.startTicks != null && startTicks !== null && holder.startTicks !== startTicks) return 'gone';
  if (holder.pid === process.pid) return holder.token !== undefined && ownTokens.has(holder.token) ? 'this process' : 'gone';
  return 'alive';
}

async function removeStale(files: StorageFileSystem, ledgerPath: string, numbers: number[]): Promise<void> {
  for (const number of numbers) await files.remove(lockFilePath(ledgerPath, number)).catch(() => undefined);
  const legacyPath = `${ledgerPath}${legacyLockSuffix}`;
  await files.remove(legacyPath).catch(() => undefined);
}

async function release(files: StorageFileSystem, lockPath: string, token: string): Promise<void> {
  if (!ownTokens.delete(token)) return;
  const text = await files.readFile(lockPath).then((bytes) => bytes.toString('utf8'), () => null);
  if (text === null || (JSON.parse(text) as Partial<LockIdentity>).token !== token) return;
  await files.remove(lockPath);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot. */
function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

let cachedBootId: string | null | undefined;

function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

function ownIdentity(): LockIdentity {
  return {
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    bootId: bootId(),
    host: os.hostname(),
    token: randomBytes(8).toString('hex'),
    acquiredAt: new Date().toISOString(),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
