import { randomBytes } from 'node:crypto';
import { sessionIdleLockMs } from '../../../shared/access';

/** Sessions held at once; the oldest is dropped beyond this (a bound on what a hostile client can make us keep). */
export const sessionsMax = 1000;
/** Consecutive failed sign-ins after which a user name is refused for a while, without checking the password. */
export const signInFailuresMax = 5;
export const signInLockoutMs = 60_000;

interface Session {
  username: string;
  lastActiveMs: number;
}

export type SessionLookup = { state: 'none' } | { state: 'locked'; username: string } | { state: 'active'; username: string };

/**
 * Signed-in sessions, in memory only: a restart signs everyone out. A session
 * is keyed by the Electron window it belongs to, or by a random id the host's
 * client sends back in a header. Each request refreshes it; one left alone for
 * sessionIdleLockMs is locked and must sign in again.
 */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; lastMs: number }>();
  /** Replaceable in tests so locking can be proved without waiting. */
  clock: () => number = Date.now;

  static newSessionId(): string {
    return randomBytes(24).toString('base64url');
  }

  open(key: string, username: string): void {
    this.sessions.delete(key);
    if (this.sessions.size >= sessionsMax) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(key, { username, lastActiveMs: this.clock() });
  }

  close(key: string | null): string | null {
    if (key === null) return null;
    const session = this.sessions.get(key);
    this.sessions.delete(key);
    return session?.username ?? null;
  }

  closeAllOf(username: string): void {
    for (const [key, session] of this.sessions) if (session.username === username) this.sessions.delete(key);
  }

  /** Finds the session; `touch` counts the request as activity (public channels such as session-status do not). */
  lookup(key: string | null, touch: boolean): SessionLookup {
    if (key === null) return { state: 'none' };
    const session = this.sessions.get(key);
    if (session === undefined) return { state: 'none' };
    const now = this.clock();
    if (now - session.lastActiveMs > sessionIdleLockMs) {
      this.sessions.delete(key);
      return { state: 'locked', username: session.username };
    }
    if (touch) session.lastActiveMs = now;
    return { state: 'active', username: session.username };
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
