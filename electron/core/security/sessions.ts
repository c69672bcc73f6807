import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sessionIdleLockMs } from '../../../shared/access';
import { writeFileAtomic } from '../storage/atomic-file';
import { displayLocation, isSharedLedgerUrl } from '../storage/postgres-log';

/** Sessions held at once; the oldest is dropped beyond this (a bound on what a hostile client can make us keep). */
export const sessionsMax = 1000;
/** Consecutive failed sign-ins after which a user name is refused for a while, without checking the password. */
export const signInFailuresMax = 5;
export const signInLockoutMs = 60_000;

/**
 * The file that keeps the host's sessions across restarts: beside a ledger
 * file, or for a shared ledger (no folder of its own) in the user's PayDesk
 * folder under a hash of its address without the password. Each host keeps its
 * own browsers' sessions; a database holds no session.
 */
export function sessionsFilePath(location: string, homeFolder = os.homedir()): string {
  if (!isSharedLedgerUrl(location)) return `${location}.sessions`;
  const key = createHash('sha256').update(displayLocation(location)).digest('hex').slice(0, 16);
  return path.join(homeFolder, '.paydesk', 'shared-ledger-sessions', `${key}.sessions`);
}

/** A persisted session's activity is written again once it is this much older than the last write. */
export const sessionActivityWriteIntervalMs = 30_000;

interface Session {
  username: string;
  lastActiveMs: number;
  /** Kept in the sessions file across restarts (the host's random ids); a window's key never is. */
  persistent: boolean;
  writtenActiveMs: number;
}

interface StoredSession {
  keyHash: string;
  username: string;
  lastActiveMs: number;
}

export type SessionLookup = { state: 'none' } | { state: 'locked'; username: string } | { state: 'active'; username: string };

/**
 * Signed-in sessions. A session is keyed by the Electron window it belongs
 * to, or by a random id the host's client sends back in a header. Each request
 * refreshes it; one left alone for sessionIdleLockMs is locked and must sign
 * in again.
 *
 * The host's sessions survive a restart of the host: with `persistTo`, they
 * are kept in a file beside the ledger, each under the SHA-256 of its id (the
 * file alone signs nobody in), written atomically on every sign-in and
 * sign-out and at most every sessionActivityWriteIntervalMs for activity. A
 * window's session is never written: a new window after a restart must not
 * inherit the last one's operator.
 */
export class Sessions {
  /** Keyed by the SHA-256 of the session key, so memory and file hold the same thing. */
  private readonly sessions = new Map<string, Session>();
  private filePath: string | null = null;
  private writing: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private readonly failures = new Map<string, { count: number; lastMs: number }>();
  /** Replaceable in tests so locking can be proved without waiting. */
  clock: () => number = Date.now;

  static newSessionId(): string {
    return randomBytes(24).toString('base64url');
  }

  /** Reads the sessions a previous run kept (dropping those already idle too long) and keeps writing them there. */
  persistTo(filePath: string): void {
    this.filePath = filePath;
    try {
      mkdirSync(path.dirname(filePath), { recursive: true });
    } catch {
      // Writing will fail and say so; the host goes on with sessions in memory.
    }
    for (const stored of readStoredSessions(filePath)) {
      if (this.clock() - stored.lastActiveMs > sessionIdleLockMs || this.sessions.size >= sessionsMax) continue;
      const { username, lastActiveMs } = stored;
      this.sessions.set(stored.keyHash, { username, lastActiveMs, persistent: true, writtenActiveMs: lastActiveMs });
    }
  }

  open(key: string, username: string, persistent = false): void {
    const keyHash = hashKey(key);
    this.sessions.delete(keyHash);
    if (this.sessions.size >= sessionsMax) this.sessions.delete(this.sessions.keys().next().value as string);
    const now = this.clock();
    this.sessions.set(keyHash, { username, lastActiveMs: now, persistent, writtenActiveMs: now });
    if (persistent) this.scheduleWrite();
  }

  close(key: string | null): string | null {
    if (key === null) return null;
    const keyHash = hashKey(key);
    const session = this.sessions.get(keyHash);
    this.sessions.delete(keyHash);
    if (session?.persistent) this.scheduleWrite();
    return session?.username ?? null;
  }

  closeAllOf(username: string): void {
    let persistentClosed = false;
    for (const [keyHash, session] of this.sessions) {
      if (session.username !== username) continue;
      this.sessions.delete(keyHash);
      persistentClosed ||= session.persistent;
    }
    if (persistentClosed) this.scheduleWrite();
  }

  /** Waits until the sessions file holds every change made so far. */
  async flush(): Promise<void> {
    await this.writing;
  }

  /** Finds the session; `touch` counts the request as activity (public channels such as session-status do not). */
  lookup(key: string | null, touch: boolean): SessionLookup {
    if (key === null) return { state: 'none' };
    const keyHash = hashKey(key);
    const session = this.sessions.get(keyHash);
    if (session === undefined) return { state: 'none' };
    const now = this.clock();
    if (now - session.lastActiveMs > sessionIdleLockMs) {
      this.sessions.delete(keyHash);
      if (session.persistent) this.scheduleWrite();
      return { state: 'locked', username: session.username };
    }
    if (touch) session.lastActiveMs = now;
    if (session.persistent && now - session.writtenActiveMs >= sessionActivityWriteIntervalMs) this.scheduleWrite();
    return { state: 'active', username: session.username };
  }

  /** One write at a time; changes made while one runs are taken by the next. */
  private scheduleWrite(): void {
    if (this.filePath === null || this.writeQueued) return;
    const filePath = this.filePath;
    this.writeQueued = true;
    this.writing = this.writing.then(async () => {
      this.writeQueued = false;
      const stored: StoredSession[] = [];
      for (const [keyHash, session] of this.sessions) {
        if (!session.persistent) continue;
        session.writtenActiveMs = session.lastActiveMs;
        stored.push({ keyHash, username: session.username, lastActiveMs: session.lastActiveMs });
      }
      try {
        await writeFileAtomic(filePath, new TextEncoder().encode(JSON.stringify({ version: 1, sessions: stored })));
      } catch (error) {
        // Losing the file only signs operators out at the next restart; the running host goes on.
        console.error('paydesk: writing the sessions file failed', error);
      }
    });
  }

  /** True while a user name is locked out after too many failed sign-ins. */
  lockedOut(username: string): boolean {
    const entry = this.failures.get(username);
    return entry !== undefined && entry.count >= signInFailuresMax && this.clock() - entry.lastMs < signInLockoutMs;
  }

  noteFailure(username: string): void {
    const entry = this.failures.get(username);
    const expired = entry !== undefined && this.clock() - entry.lastMs >= signInLockoutMs;
    this.failures.set(username, { count: entry === undefined || expired ? 1 : entry.count + 1, lastMs: this.clock() });
    if (this.failures.size > sessionsMax) this.failures.delete(this.failures.keys().next().value as string);
  }

  noteSuccess(username: string): void {
    this.failures.delete(username);
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url');
}

/** The sessions file's entries, or none when it is missing or unreadable (everyone signs in again). */
function readStoredSessions(filePath: string): StoredSession[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(filePath, 'utf8'));
  } catch {
    return [];
  }
  const sessions = (parsed as { version?: unknown; sessions?: unknown }).sessions;
  if ((parsed as { version?: unknown }).version !== 1 || !Array.isArray(sessions)) return [];
  return sessions.filter(
    (entry): entry is StoredSession =>
      typeof entry === 'object' && entry !== null && typeof entry.keyHash === 'string' && typeof entry.username === 'string' &&
      Number.isSafeInteger(entry.lastActiveMs),
  );
}
