import { roleAllows, sessionIdleLockMs, type Caller, type Operator, type SessionStatus, type SignedIn } from '../../../shared/access';
import type { ParsedRequestOf } from '../../../shared/contract';
import { failure, success, type Result } from '../../../shared/result';
import type { LedgerStore } from '../ledger-store';
import type { OperatorRecord } from './control-records';
import { activeAdministratorCount, findOperator, listOperators, operatorCount, publicOperator } from './operators';
import { decoyPasswordHash, hashPassword, passwordMatches } from './passwords';
import { Sessions } from './sessions';

/**
 * Signing in and out, the first administrator, and managing operators. Every
 * outcome that matters (a sign-in, a failed one, a new or disabled operator)
 * is written to the audit trail in the same commit as the change.
 */
export class SessionService {
  constructor(
    private readonly store: LedgerStore,
    readonly sessions: Sessions,
  ) {}

  status(caller: Caller): SessionStatus {
    const operator = caller.signedIn && caller.transport !== 'system' ? findOperator(this.store.database, caller.username) : undefined;
    return {
      setupRequired: operatorCount(this.store.database) === 0,
      operator: operator === undefined ? null : publicOperator(operator),
      idleLockMs: sessionIdleLockMs,
    };
  }

  /** The first start: only while no operator exists, anyone at the keyboard creates the administrator. */
  async setup(request: ParsedRequestOf<'session-setup'>, caller: Caller): Promise<Result<SignedIn>> {
    const refusal = () => failure('SETUP_DONE', 'The first administrator already exists; sign in instead.');
    if (operatorCount(this.store.database) > 0) return refusal();
    const passwordHash = await hashPassword(request.password);
    // Hashing took a while: someone else may have finished setting up meanwhile.
    if (operatorCount(this.store.database) > 0) return refusal();
    const record = operatorRecord(request.username, request.displayName, 'administrator', passwordHash, request.username);
    const note = { actor: request.username, action: 'session-setup', target: request.username, outcome: 'ok' };
    await this.store.whenDurable(this.store.commit([record], { ...note, detail: `first administrator ${request.username} created` }));
    return success(this.openSession(findOperator(this.store.database, request.username)!, caller));
  }

  async signIn(request: ParsedRequestOf<'session-sign-in'>, caller: Caller): Promise<Result<SignedIn>> {
    const { username } = request;
    if (this.sessions.lockedOut(username)) {
      return this.refuseSignIn(username, 'too many failed attempts', 'Too many failed sign-ins for this user name; wait a minute and try again.');
    }
    const operator = findOperator(this.store.database, username);
    const matches = await passwordMatches(request.password, operator?.passwordHash ?? (await decoyPasswordHash()));
    if (operator === undefined || !matches) {
      this.sessions.noteFailure(username);
      return this.refuseSignIn(username, operator === undefined ? 'unknown user name' : 'wrong password');
    }
    if (operator.status !== 'active') return this.refuseSignIn(username, 'operator disabled');
    this.sessions.noteSuccess(username);
    const signedIn = this.openSession(operator, caller);
    await this.store.whenDurable(this.store.commit([], { actor: username, action: 'session-sign-in', target: username, outcome: 'ok', detail: '' }));
    return success(signedIn);
  }

  private async refuseSignIn(username: string, reason: string, message?: string): Promise<Result<SignedIn>> {
    const note = { actor: username, action: 'session-sign-in', target: username, outcome: 'refused SIGN_IN_FAILED', detail: reason };
    await this.store.whenDurable(this.store.commit([], note));
    return failure('SIGN_IN_FAILED', message ?? 'The user name or password is wrong, or the operator is disabled.');
  }

  private openSession(operator: Operator, caller: Caller): SignedIn {
    // A window keeps its own key; the host's client gets a new random id to send back.
    const sessionId = caller.transport === 'window' && caller.sessionKey !== null ? caller.sessionKey : Sessions.newSessionId();
    if (caller.transport !== 'window') this.sessions.close(caller.sessionKey);
    this.sessions.open(sessionId, operator.username, caller.transport === 'http');
    return { sessionId, operator: publicOperator(findOperator(this.store.database, operator.username)!) };
  }

  async signOut(caller: Caller): Promise<Result<SessionStatus>> {
    const username = this.sessions.close(caller.sessionKey);
    if (username !== null) {
      await this.store.whenDurable(this.store.commit([], { actor: username, action: 'session-sign-out', target: username, outcome: 'ok', detail: '' }));
    }
    return success({ setupRequired: operatorCount(this.store.database) === 0, operator: null, idleLockMs: sessionIdleLockMs });
  }

  listOperators(): Operator[] {
    return listOperators(this.store.database);
  }

  async createOperator(request: ParsedRequestOf<'operator-create'>, caller: Caller): Promise<Result<Operator>> {
    if (findOperator(this.store.database, request.username) !== undefined) {
      return failure('OPERATOR_EXISTS', `An operator called ${request.username} already exists.`, 'username');
    }
    const passwordHash = await hashPassword(request.password);
    if (findOperator(this.store.database, request.username) !== undefined) {
      return failure('OPERATOR_EXISTS', `An operator called ${request.username} already exists.`, 'username');
    }
    const record = operatorRecord(request.username, request.displayName, request.role, passwordHash, caller.username);
    await this.store.whenDurable(this.store.commit([record]));
    return success(publicOperator(findOperator(this.store.database, request.username)!));
  }

  async setOperatorStatus(request: ParsedRequestOf<'operator-set-status'>, caller: Caller): Promise<Result<Operator>> {
    const operator = findOperator(this.store.database, request.username);
    if (operator === undefined) return failure('NOT_FOUND', `No operator is called ${request.username}.`, 'username');
    if (request.status === 'disabled' && operator.username === caller.username) {
      return this.refuse('OPERATOR_STATE', 'You cannot disable yourself; ask another administrator.', operator.username);
    }
    const lastAdministrator = operator.role === 'administrator' && operator.status === 'active' && activeAdministratorCount(this.store.database) === 1;
    if (request.status === 'disabled' && lastAdministrator) {
      return this.refuse('OPERATOR_STATE', `${operator.username} is the last active administrator; enable or create another first.`, operator.username);
    }
    if (operator.status !== request.status) {
      await this.store.whenDurable(this.store.commit([{ t: 'operator-status', username: operator.username, status: request.status }]));
      if (request.status === 'disabled') this.sessions.closeAllOf(operator.username);
    }
    return success(publicOperator(findOperator(this.store.database, request.username)!));
  }

  /** A new role takes effect on the operator's next request; the last active administrator keeps theirs. */
  async setOperatorRole(request: ParsedRequestOf<'operator-set-role'>, caller: Caller): Promise<Result<Operator>> {
    const operator = findOperator(this.store.database, request.username);
    if (operator === undefined) return failure('NOT_FOUND', `No operator is called ${request.username}.`, 'username');
    if (operator.username === caller.username && request.role !== operator.role) {
      return this.refuse('OPERATOR_STATE', 'You cannot change your own role; ask another administrator.', request.username);
    }
    const demotesLastAdministrator = operator.role === 'administrator' && request.role !== 'administrator' && operator.status === 'active' &&
      activeAdministratorCount(this.store.database) === 1;
    if (demotesLastAdministrator) {
      return this.refuse('OPERATOR_STATE', `${operator.username} is the last active administrator; make another administrator first.`, request.username);
    }
    if (operator.role !== request.role) {
      await this.store.whenDurable(this.store.commit([{ t: 'operator-role', username: operator.username, role: request.role }]));
    }
    return success(publicOperator(findOperator(this.store.database, request.username)!));
  }

  /** An administrator sets a password for someone who forgot theirs; that operator's sessions end. */
  async resetPassword(request: ParsedRequestOf<'operator-password-reset'>, caller: Caller): Promise<Result<Operator>> {
    const operator = findOperator(this.store.database, request.username);
    if (operator === undefined) return failure('NOT_FOUND', `No operator is called ${request.username}.`, 'username');
    if (operator.username === caller.username) {
      return failure('OPERATOR_STATE', 'Change your own password with "Change my password", which asks for the current one.', 'username');
    }
    const passwordHash = await hashPassword(request.newPassword);
    await this.store.whenDurable(this.store.commit([{ t: 'operator-password', username: operator.username, passwordHash, by: caller.username }]));
    this.sessions.closeAllOf(operator.username);
    return success(publicOperator(findOperator(this.store.database, request.username)!));
  }

  /** The operator changes their own password; a wrong current password is refused and audited. */
  async changePassword(request: ParsedRequestOf<'session-password-change'>, caller: Caller): Promise<Result<Operator>> {
    const operator = findOperator(this.store.database, caller.username);
    if (operator === undefined || operator.status !== 'active' || !roleAllows(operator.role, 'viewer')) {
      return failure('SIGN_IN_REQUIRED', 'Sign in first: this operation needs a signed-in operator.');
    }
    if (!(await passwordMatches(request.currentPassword, operator.passwordHash))) {
      return this.refuse('PASSWORD_WRONG', 'The current password is wrong; the password was not changed.', operator.username, 'currentPassword');
    }
    if (request.currentPassword === request.newPassword) {
      return failure('OPERATOR_STATE', 'The new password is the same as the current one; choose a different one.', 'newPassword');
    }
    const passwordHash = await hashPassword(request.newPassword);
    await this.store.whenDurable(this.store.commit([{ t: 'operator-password', username: operator.username, passwordHash, by: operator.username }]));
    return success(publicOperator(findOperator(this.store.database, operator.username)!));
  }

  /** A refusal an auditor must see: an audit entry that changes nothing else. */
  private async refuse(code: 'OPERATOR_STATE' | 'PASSWORD_WRONG', message: string, target: string, field = 'username'): Promise<Result<Operator>> {
    await this.store.whenDurable(this.store.commit([], { target, outcome: `refused ${code}`, detail: message }));
    return failure(code, message, field);
  }
}

function operatorRecord(username: string, displayName: string, role: OperatorRecord['role'], passwordHash: string, createdBy: string): OperatorRecord {
  return { t: 'operator', username, displayName, role, passwordHash, createdAtMs: Date.now(), createdBy };
}
