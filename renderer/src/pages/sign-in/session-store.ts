import { create } from 'zustand';
import { roleAllows, type Operator, type Role } from '../../../../shared/access';
import type { Failure } from '../../../../shared/result';
import { api, type PayDeskClient } from '../../api/client';

/**
 * Who is signed in, as the engine says. The screen follows `phase`: the
 * first-run form while no operator exists, the sign-in form while nobody is
 * signed in, the application once someone is. Core enforces every role; the
 * UI only uses `can` to hide what the operator's role cannot do.
 */
export type SessionPhase = 'loading' | 'setup' | 'sign-in' | 'signed-in';

export interface SessionState {
  phase: SessionPhase;
  operator: Operator | null;
  failure: Failure | null;
  /** Why the sign-in form is back (a lock after inactivity), shown above it. */
  notice: string | null;
  idleLockMs: number;
  sending: boolean;
  load(): Promise<void>;
  setUp(username: string, displayName: string, password: string): Promise<void>;
  signIn(username: string, password: string): Promise<void>;
  signOut(notice?: string): Promise<void>;
}

export function createSessionStore(client: PayDeskClient) {
  return create<SessionState>()((set, get) => ({
    phase: 'loading',
    operator: null,
    failure: null,
    notice: null,
    idleLockMs: 15 * 60 * 1000,
    sending: false,
    async load() {
      const result = await client.invoke('session-status', {});
      if (!result.ok) return set({ failure: result });
      const { setupRequired, operator, idleLockMs } = result.value;
      set({ operator, idleLockMs, phase: setupRequired ? 'setup' : operator === null ? 'sign-in' : 'signed-in' });
    },
    async setUp(username, displayName, password) {
      set({ sending: true, failure: null });
      const result = await client.invoke('session-setup', { username, displayName, password });
      set({ sending: false });
      if (!result.ok) return set({ failure: result });
      set({ phase: 'signed-in', operator: result.value.operator, notice: null });
    },
    async signIn(username, password) {
      set({ sending: true, failure: null });
      const result = await client.invoke('session-sign-in', { username, password });
      set({ sending: false });
      if (!result.ok) return set({ failure: result });
      set({ phase: 'signed-in', operator: result.value.operator, notice: null });
    },
    async signOut(notice) {
      await client.invoke('session-sign-out', {});
      set({ phase: get().phase === 'setup' ? 'setup' : 'sign-in', operator: null, failure: null, notice: notice ?? null });
    },
  }));
}

export const useSessionStore = createSessionStore(api);

/** True when the signed-in operator's role reaches `needed`; the UI hides the rest (core refuses it regardless). */
export function useCan(needed: Role): boolean {
  return useSessionStore((state) => state.operator !== null && roleAllows(state.operator.role, needed));
}
