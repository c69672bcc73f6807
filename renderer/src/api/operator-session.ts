/**
 * The host's client keeps the operator's session id (returned by
 * session-sign-in) in sessionStorage and sends it in the X-PayDesk-Session
 * header. Closing the tab forgets it; the host forgets it on restart. Inside
 * Electron nothing is kept here: the main process keys the session by window.
 */
export const sessionIdStorageKey = 'paydesk.session';
export const sessionHeader = 'X-PayDesk-Session';

export interface SessionIdStore {
  get(): string | null;
  set(sessionId: string | null): void;
}

export function createSessionIdStore(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>): SessionIdStore {
  return {
    get: () => storage.getItem(sessionIdStorageKey),
    set: (sessionId) => (sessionId === null ? storage.removeItem(sessionIdStorageKey) : storage.setItem(sessionIdStorageKey, sessionId)),
  };
}

/**
 * A test harness (or a launcher that signed in already) may hand over a
 * session as "#...&session=ID": it is stored and taken out of the visible URL.
 */
export function captureSessionId(
  location: Pick<Location, 'hash' | 'pathname' | 'search'>,
  history: Pick<History, 'replaceState' | 'state'>,
  store: SessionIdStore,
): void {
  const body = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const parameters = body.split('&').filter((parameter) => parameter !== '');
  const found = parameters.find((parameter) => parameter.startsWith('session='));
  if (found === undefined) return;
  const value = decodeURIComponent(found.slice('session='.length));
  if (/^[\w-]{1,100}$/.test(value)) store.set(value);
  const kept = parameters.filter((parameter) => parameter !== found);
  history.replaceState(history.state, '', `${location.pathname}${location.search}${kept.length === 0 ? '' : `#${kept.join('&')}`}`);
}

/** Channels whose answer starts or ends a session. */
export function sessionIdAfter(channel: string, result: { ok: boolean; value?: unknown }): string | null | undefined {
  if (channel === 'session-sign-out') return null;
  if ((channel === 'session-sign-in' || channel === 'session-setup') && result.ok) {
    return (result.value as { sessionId: string }).sessionId;
  }
  return undefined;
}

type SignInRequiredListener = () => void;
const signInRequiredListeners = new Set<SignInRequiredListener>();

/** The session screen listens: any answer SIGN_IN_REQUIRED (a lock, a restart of the engine) brings the sign-in back. */
export function onSignInRequired(listener: SignInRequiredListener): () => void {
  signInRequiredListeners.add(listener);
  return () => {
    signInRequiredListeners.delete(listener);
  };
}

export function noteAnswer<T extends { ok: boolean; code?: string }>(result: T): T {
  if (!result.ok && result.code === 'SIGN_IN_REQUIRED') for (const listener of signInRequiredListeners) listener();
  return result;
}
