import type { Handlers } from '../../../shared/contract';
import { success } from '../../../shared/result';
import { auditActions, exportAuditCsv, listAudit } from '../audit/audit-queries';
import { Approvals } from '../approval/approvals';
import type { EngineEvents } from '../events';
import type { LedgerStore } from '../ledger-store';
import { AccessControl } from './access-control';
import { SessionService } from './session-service';
import { Sessions } from './sessions';

/** Operators and sessions, access control, four-eyes approval: one object the engine holds. */
export class Controls {
  readonly sessions = new Sessions();
  readonly access: AccessControl;
  readonly sessionService: SessionService;
  readonly approvals: Approvals;

  constructor(
    private readonly store: LedgerStore,
    events: EngineEvents,
  ) {
    this.access = new AccessControl(store, this.sessions);
    this.sessionService = new SessionService(store, this.sessions);
    this.approvals = new Approvals(store, events);
  }

  /** The channels of issue 8: sessions, operators, the audit trail and approvals. Backups are in electron/core/backup. */
  handlers() {
    const sessions = this.sessionService;
    const approvals = this.approvals;
    const database = this.store.database;
    return {
      'session-status': async (_request, caller) => success(sessions.status(caller)),
      'session-setup': (request, caller) => sessions.setup(request, caller),
      'session-sign-in': (request, caller) => sessions.signIn(request, caller),
      'session-sign-out': (_request, caller) => sessions.signOut(caller),
      'operator-list': async () => success(sessions.listOperators()),
      'operator-create': (request, caller) => sessions.createOperator(request, caller),
      'operator-set-status': (request, caller) => sessions.setOperatorStatus(request, caller),
      'operator-set-role': (request, caller) => sessions.setOperatorRole(request, caller),
      'operator-password-reset': (request, caller) => sessions.resetPassword(request, caller),
      'session-password-change': (request, caller) => sessions.changePassword(request, caller),
      'audit-list': async ({ limit, cursor, ...filter }) => success(listAudit(database, filter, limit ?? 100, cursor)),
      'audit-export': async (filter) => success(exportAuditCsv(database, filter, Date.now())),
      'audit-actions': async () => success(auditActions(database)),
      'approval-list': async (request) => success(approvals.list(request.status)),
      'approval-approve': (request, caller) => approvals.approve(request.paymentId, caller, request.note),
      'approval-reject': (request, caller) => approvals.reject(request.paymentId, caller, request.note),
      'approval-threshold-list': async () => success(approvals.thresholds()),
      'approval-threshold-set': (request) => approvals.setThreshold(request.currency, request.amount, request.confirmed ?? false),
    } satisfies Partial<Handlers>;
  }
}
