import { roleAllows, sessionIdleLockMs, type Caller } from '../../../shared/access';
import { channelChangesState, channelRoles } from '../../../shared/channel-roles';
import type { ChannelName } from '../../../shared/contract';
import { failure, success, type Failure, type Result } from '../../../shared/result';
import { unrecordedAuditNote } from '../audit/unrecorded-actions';
import type { LedgerStore } from '../ledger-store';
import type { CallContext } from './call-context';
import { findOperator } from './operators';
import type { Sessions } from './sessions';

/**
 * Decides who is asking and whether they may: every request through
 * `dispatch` passes here before its schema or its handler runs. The role each
 * channel needs is declared in shared/channel-roles.ts; the operator's role
 * and status are read from the ledger on every request, so disabling an
 * operator takes effect at once.
 */
export class AccessControl {
  constructor(
    private readonly store: LedgerStore,
    readonly sessions: Sessions,
  ) {}

  admit(channelName: ChannelName, context: CallContext): Result<Caller> {
    const needed = channelRoles[channelName];
    const resolved = this.resolve(context, needed !== 'public');
    if (needed === 'public') return success(resolved.caller);
    if (resolved.locked) {
      const minutes = Math.round(sessionIdleLockMs / 60_000);
      return failure('SIGN_IN_REQUIRED', `The session was locked after ${minutes} minutes without activity; sign in again.`);
    }
    if (!resolved.caller.signedIn) return failure('SIGN_IN_REQUIRED', 'Sign in first: this operation needs a signed-in operator.');
    if (!roleAllows(resolved.caller.role, needed)) {
      const caller = resolved.caller;
      const refusal = failure('ROLE_REQUIRED', `${channelName} needs the ${needed} role; ${caller.username} is ${withArticle(caller.role)}.`);
      this.noteRefusal(channelName, caller, refusal);
      return refusal;
    }
    return success(resolved.caller);
  }

  private resolve(context: CallContext, touch: boolean): { caller: Caller; locked: boolean } {
    if (context.kind === 'system') {
      return { caller: { username: context.actor, role: 'administrator', signedIn: true, transport: 'system', sessionKey: null }, locked: false };
    }
    const anonymous: Caller = { username: '', role: 'viewer', signedIn: false, transport: context.kind, sessionKey: context.sessionKey };
    const session = this.sessions.lookup(context.sessionKey, touch);
    if (session.state !== 'active') return { caller: anonymous, locked: session.state === 'locked' };
    const operator = findOperator(this.store.database, session.username);
    if (operator === undefined || operator.status !== 'active') {
      this.sessions.close(context.sessionKey);
      return { caller: anonymous, locked: false };
    }
    return { caller: { ...anonymous, username: operator.username, role: operator.role, signedIn: true }, locked: false };
  }

  /**
   * A refused change or an action outside the ledger, once its handler answered (see audit/unrecorded-actions.ts).
   * An operator's, that is: the command line holds the file itself, says a refusal on stderr and leaves the file as it was.
   */
  noteUnaudited(channelName: ChannelName, caller: Caller, result: Result<unknown>): void {
    const note = caller.signedIn && caller.transport !== 'system' ? unrecordedAuditNote(channelName, result) : null;
    if (note === null) return;
    try {
      this.store.commit([], { actor: caller.username, action: channelName, ...note });
    } catch (error) {
      console.error('paydesk: writing an audit entry for an unrecorded action failed', error);
    }
  }

  /** An attempt to change something that the role refuses is itself an audit entry (a refused read is not). */
  private noteRefusal(channelName: ChannelName, caller: Caller, refusal: Failure): void {
    if (!channelChangesState(channelName) || !caller.signedIn) return;
    try {
      this.store.commit([], { actor: caller.username, action: channelName, outcome: `refused ${refusal.code}`, detail: refusal.message });
    } catch (error) {
      console.error('paydesk: writing an audit entry for a refusal failed', error);
    }
  }
}

function withArticle(role: string): string {
  return /^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`;
}
