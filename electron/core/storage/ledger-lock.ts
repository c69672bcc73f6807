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
 *   contenders can both remove and both create). A contender that finds every
 *   lock's owner gone creates N + 1 instead, then looks again and backs off if
 *   any other lock with a live owner is there. Of two contenders, the one that
 *   looks last sees the other's file, so two never both go on.
 * - An owner is gone when its process is gone, or when the pid now belongs to
 *   a process that started at another time (pid reuse), or the machine has
 *   rebooted since (boot id). A lock from another host is never judged.
 * - Release removes only the holder's own file.
 *
 * The file system's atomic link hands each name out once; the look after
 * creating is what makes the lock exclusive (as in Lamport's bakery algorithm,
 * each contender announces itself before it checks the others).
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
    for (const number of numbers) await refuseIfHeld(files, ledgerPath, lockFilePath(ledgerPath, number));
    await refuseIfLegacyHeld(files, ledgerPath);
    const number = (numbers.length > 0 ? numbers[numbers.length - 1] : 0) + 1;
    const lockPath = lockFilePath(ledgerPath, number);
    if (!(await linkIdentity(files, ledgerPath, lockPath, identity))) {
      await delay(retryDelayMs * (1 + Math.random()));
      continue;
    }
    // Another contender may have judged the folder a moment earlier or later: whoever looks
    // after both files exist sees the other's, so at most one of any two goes on.
    const others = (await lockNumbers(files, ledgerPath)).filter((other) => other !== number);
    if (await anyHeld(files, ledgerPath, others)) {
      await files.remove(lockPath);
      await delay(retryDelayMs * (1 + Math.random()));
      continue;
    }
    await files.syncFolder(folder);
    ownTokens.add(identity.token);
    await removeStale(files, ledgerPath, others);
    return { lockPath, release: () => release(files, lockPath, identity.token) };
  }
  throw new LedgerOpenError(`${ledgerPath} cannot be locked: other PayDesk processes keep taking it. Try again.`);
}

/** True when any of these lock files names an owner that still runs (or cannot be read: it then counts as held). */
async function anyHeld(files: StorageFileSystem, ledgerPath: string, numbers: number[]): Promise<boolean> {
  for (const number of numbers) {
    const text = await files.readFile(lockFilePath(ledgerPath, number)).then((bytes) => bytes.toString('utf8'), (error: unknown) => {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    });
    if (text === null) continue;
    try {
      if (ownerVerdict(JSON.parse(text) as Partial<LockIdentity>) !== 'gone') return true;
    } catch {
      return true;
    }
  }
  return false;
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
