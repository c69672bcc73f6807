import { AsyncLocalStorage } from 'node:async_hooks';
import type { Caller } from '../../../shared/access';

/**
 * What a transport knows about where a request came from; core turns it into a Caller.
 *
 * - system: an in-process caller that holds the ledger file itself (the
 *   command line, tests). It acts with full rights under its own name.
 * - window: an Electron window; its session is keyed by the window, so the
 *   renderer never holds a secret.
 * - http: the loopback host; the session id the client got from signing in
 *   comes back in the X-PayDesk-Session header (null when it sent none).
 */
export type CallContext =
  | { kind: 'system'; actor: string }
  | { kind: 'window'; sessionKey: string }
  | { kind: 'http'; sessionKey: string | null };

/** The command line's identity: it holds the file, so it acts as an administrator named `cli`. */
export const systemContext: CallContext = { kind: 'system', actor: 'cli' };

/**
 * The operation in progress, carried through every await and timer it starts
 * (a batch's chunks run long after batch-start answered): commits find their
 * actor and action here and write the audit entry in the same transaction.
 */
export interface ActionScope {
  caller: Caller;
  action: string;
  /** Set once a commit in this scope wrote an audit entry. */
  audited: boolean;
}

const scopes = new AsyncLocalStorage<ActionScope>();

export function runInScope<T>(scope: ActionScope, work: () => T): T {
  return scopes.run(scope, work);
}

export function currentScope(): ActionScope | undefined {
  return scopes.getStore();
}
