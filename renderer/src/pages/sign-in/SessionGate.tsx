import { useEffect, type ReactNode } from 'react';
import { onSignInRequired } from '../../api/operator-session';
import { SignInScreen } from './SignInScreen';
import { useSessionStore } from './session-store';

/** How often the window checks whether the operator has been away longer than the lock allows. */
export const idleCheckIntervalMs = 10_000;
const inputEvents = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/**
 * Shows the application only to a signed-in operator; otherwise the sign-in
 * (or first-run) screen covers it. The window locks itself after
 * idleLockMs without keyboard or pointer input (background refreshes do not
 * count), and comes back here whenever the engine answers SIGN_IN_REQUIRED.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const phase = useSessionStore((state) => state.phase);
  useEffect(() => {
    const store = useSessionStore.getState();
    void store.load();
    return onSignInRequired(() => {
      if (useSessionStore.getState().phase === 'signed-in') void useSessionStore.getState().load();
    });
  }, []);
  useIdleLock(phase === 'signed-in');
  return phase === 'signed-in' ? <>{children}</> : <SignInScreen />;
}

function useIdleLock(active: boolean) {
  useEffect(() => {
    if (!active) return;
    let lastInputMs = Date.now();
    const noteInput = () => {
      lastInputMs = Date.now();
    };
    for (const name of inputEvents) window.addEventListener(name, noteInput, { passive: true });
    const timer = window.setInterval(() => {
      const { idleLockMs, signOut } = useSessionStore.getState();
      if (Date.now() - lastInputMs < idleLockMs) return;
      const minutes = Math.round(idleLockMs / 60_000);
      void signOut(`Locked after ${minutes} minutes without activity. Sign in again to continue.`);
    }, idleCheckIntervalMs);
    return () => {
      window.clearInterval(timer);
      for (const name of inputEvents) window.removeEventListener(name, noteInput);
    };
  }, [active]);
}
