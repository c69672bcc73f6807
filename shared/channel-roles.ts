import type { ChannelName } from './contract';
import type { Role } from './access';

/**
 * The role each channel needs, beside the contract: the mapped type makes a
 * channel without an entry a type error, so no channel is ever left open by
 * forgetting it. `public` channels answer without a session (signing in
 * needs them); every other one needs a signed-in operator holding at least
 * the role named. Core enforces this in createDispatch; the UI only hides.
 * A channel that needs operator or more changes state, and is audited.
 */
export type ChannelAccess = 'public' | Role;

export const channelRoles: { readonly [Name in ChannelName]: ChannelAccess } = {
  'ledger-info': 'viewer',
  'ledger-verify': 'viewer',
  'account-list': 'viewer',
  'account-create': 'operator',
  'account-set-status': 'operator',
  'account-statement': 'viewer',
  'account-identifier-add': 'operator',
  'account-identifier-remove': 'operator',
  'account-identifier-list': 'viewer',
  'payment-submit': 'operator',
  'payment-get': 'viewer',
  'payment-list': 'viewer',
  'batch-upload': 'operator',
  'batch-inspect': 'operator',
  'batch-validate': 'operator',
  'batch-start': 'operator',
  'batch-pause': 'operator',
  'batch-resume': 'operator',
  'batch-cancel': 'operator',
  'batch-abandon': 'operator',
  'batch-get': 'viewer',
  'batch-list': 'viewer',
  'batch-results': 'viewer',
  'batch-preset-list': 'viewer',
  'batch-preset-save': 'operator',
  'batch-approval-list': 'viewer',
  'batch-approval-detail': 'viewer',
  'batch-approval-approve': 'approver',
  'batch-approval-reject': 'approver',
  'metrics-dashboard': 'viewer',
  'metrics-batch': 'viewer',
  'demo-load-start': 'administrator',
  'demo-load-stop': 'administrator',
  'demo-load-status': 'viewer',
  'reconciliation-upload': 'operator',
  'reconciliation-inspect': 'operator',
  'reconciliation-run': 'operator',
  'reconciliation-get': 'viewer',
  'reconciliation-list': 'viewer',
  'reconciliation-match': 'operator',
  'reconciliation-unmatch': 'operator',
  'reconciliation-finish': 'operator',
  'reconciliation-reopen': 'operator',
  'reconciliation-export': 'viewer',
  'session-status': 'public',
  'session-setup': 'public',
  'session-sign-in': 'public',
  'session-sign-out': 'public',
  'operator-list': 'administrator',
  'operator-create': 'administrator',
  'operator-set-status': 'administrator',
  'operator-set-role': 'administrator',
  'operator-password-reset': 'administrator',
  // Any signed-in operator changes their own password (core checks the current one).
  'session-password-change': 'viewer',
  'audit-list': 'viewer',
  'audit-export': 'viewer',
  'audit-actions': 'viewer',
  'approval-list': 'viewer',
  'approval-approve': 'approver',
  'approval-reject': 'approver',
  'approval-threshold-list': 'viewer',
  'approval-threshold-set': 'administrator',
  'backup-status': 'administrator',
  'backup-create': 'administrator',
  'backup-folder-set': 'administrator',
  'backup-restore': 'administrator',
};

/** Channels that change state: a refusal there is written to the audit trail too. */
export function channelChangesState(name: ChannelName): boolean {
  const access = channelRoles[name];
  return access !== 'public' && access !== 'viewer';
}
