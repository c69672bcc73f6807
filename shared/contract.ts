import type { z } from 'zod';
import type {
  Account,
  AccountIdentifier,
  AccountStatement,
  LedgerChangedEvent,
  LedgerInfo,
  Page,
  PaymentOutcome,
  PaymentRecord,
  PaymentRecordedEvent,
  VerifyReport,
} from './domain';
import type { Result } from './result';
import * as schemas from './schemas';
import type {
  BatchApprovalDetail, BatchPreset, BatchPreview, BatchProgressEvent, BatchResultRow, BatchSummary, BatchUploadReceipt, BatchValidation, PendingBatch,
} from './batch';
import * as batchSchemas from './batch-schemas';
import type { BatchMetrics, LoadGeneratorStatus, MetricsDashboard, MetricsTickEvent } from './metrics';
import * as metricsSchemas from './metrics-schemas';
import type { ReconciliationReport, ReportExport, RunSummary, StatementFileView, StatementUploadReceipt } from './reconciliation';
import * as reconciliationSchemas from './reconciliation';
import type {
  ApprovalThreshold, AuditEntry, AuditExport, BackupFile, BackupStatus, Caller, Operator, PendingPayment, RestoreOutcome, SessionStatus, SignedIn,
} from './access';
import * as accessSchemas from './access';

/**
 * The one contract between the renderer and the engine. Every channel is named
 * here once, with the schema that validates its request and the type of its
 * response. The Electron IPC handlers, the loopback host and the renderer's
 * client are all derived from this object; no channel name is written twice.
 * Channel names are kebab-case noun-verb.
 */

interface ChannelSpec<Schema extends z.ZodType, Response> {
  request: Schema;
  /** Phantom: carries the response type, never read at run time. */
  response?: Response;
}

function channel<Schema extends z.ZodType>(request: Schema) {
  return { returns: <Response>(): ChannelSpec<Schema, Response> => ({ request }) };
}

export const channels = {
  'ledger-info': channel(schemas.emptyRequestSchema).returns<LedgerInfo>(),
  'ledger-verify': channel(schemas.emptyRequestSchema).returns<VerifyReport>(),
  'account-list': channel(schemas.accountListSchema).returns<Account[]>(),
  'account-create': channel(schemas.accountCreateSchema).returns<Account>(),
  'account-set-status': channel(schemas.accountSetStatusSchema).returns<Account>(),
  'account-statement': channel(schemas.accountStatementSchema).returns<AccountStatement>(),
  'account-identifier-add': channel(schemas.accountIdentifierAddSchema).returns<AccountIdentifier>(),
  'account-identifier-remove': channel(schemas.accountIdentifierRemoveSchema).returns<AccountIdentifier>(),
  'account-identifier-list': channel(schemas.accountIdentifierListSchema).returns<AccountIdentifier[]>(),
  'payment-submit': channel(schemas.paymentRequestSchema).returns<PaymentOutcome>(),
  'payment-get': channel(schemas.paymentGetSchema).returns<PaymentRecord>(),
  'payment-list': channel(schemas.paymentListSchema).returns<Page<PaymentRecord>>(),
  'batch-upload': channel(batchSchemas.batchUploadSchema).returns<BatchUploadReceipt>(),
  'batch-inspect': channel(batchSchemas.batchInspectSchema).returns<BatchPreview>(),
  'batch-validate': channel(batchSchemas.batchValidateSchema).returns<BatchValidation>(),
  'batch-start': channel(batchSchemas.batchIdSchema).returns<BatchSummary>(),
  'batch-pause': channel(batchSchemas.batchIdSchema).returns<BatchSummary>(),
  'batch-resume': channel(batchSchemas.batchIdSchema).returns<BatchSummary>(),
  'batch-cancel': channel(batchSchemas.batchIdSchema).returns<BatchSummary>(),
  'batch-abandon': channel(batchSchemas.batchAbandonSchema).returns<BatchSummary>(),
  'batch-get': channel(batchSchemas.batchIdSchema).returns<BatchSummary>(),
  'batch-list': channel(batchSchemas.batchListSchema).returns<BatchSummary[]>(),
  'batch-results': channel(batchSchemas.batchResultsSchema).returns<Page<BatchResultRow>>(),
  'batch-preset-list': channel(batchSchemas.batchListSchema).returns<BatchPreset[]>(),
  'batch-preset-save': channel(batchSchemas.batchPresetSaveSchema).returns<BatchPreset>(),
  'batch-approval-list': channel(batchSchemas.batchApprovalListSchema).returns<PendingBatch[]>(),
  'batch-approval-detail': channel(batchSchemas.batchApprovalDetailSchema).returns<BatchApprovalDetail>(),
  'batch-approval-approve': channel(batchSchemas.batchApprovalDecisionSchema).returns<PendingBatch>(),
  'batch-approval-reject': channel(batchSchemas.batchApprovalDecisionSchema).returns<PendingBatch>(),
  'metrics-dashboard': channel(metricsSchemas.metricsDashboardSchema).returns<MetricsDashboard>(),
  'metrics-batch': channel(metricsSchemas.metricsBatchSchema).returns<BatchMetrics>(),
  'demo-load-start': channel(metricsSchemas.loadGeneratorStartSchema).returns<LoadGeneratorStatus>(),
  'demo-load-stop': channel(schemas.emptyRequestSchema).returns<LoadGeneratorStatus>(),
  'demo-load-status': channel(schemas.emptyRequestSchema).returns<LoadGeneratorStatus>(),
  'reconciliation-upload': channel(reconciliationSchemas.statementUploadSchema).returns<StatementUploadReceipt>(),
  'reconciliation-inspect': channel(reconciliationSchemas.statementInspectSchema).returns<StatementFileView>(),
  'reconciliation-run': channel(reconciliationSchemas.reconciliationRunSchema).returns<ReconciliationReport>(),
  'reconciliation-get': channel(reconciliationSchemas.reconciliationRunIdSchema).returns<ReconciliationReport>(),
  'reconciliation-list': channel(reconciliationSchemas.reconciliationListSchema).returns<RunSummary[]>(),
  'reconciliation-match': channel(reconciliationSchemas.reconciliationMatchSchema).returns<ReconciliationReport>(),
  'reconciliation-unmatch': channel(reconciliationSchemas.reconciliationUnmatchSchema).returns<ReconciliationReport>(),
  'reconciliation-finish': channel(reconciliationSchemas.reconciliationRunIdSchema).returns<ReconciliationReport>(),
  'reconciliation-reopen': channel(reconciliationSchemas.reconciliationRunIdSchema).returns<ReconciliationReport>(),
  'reconciliation-export': channel(reconciliationSchemas.reconciliationRunIdSchema).returns<ReportExport>(),
  'session-status': channel(schemas.emptyRequestSchema).returns<SessionStatus>(),
  'session-setup': channel(accessSchemas.setupSchema).returns<SignedIn>(),
  'session-sign-in': channel(accessSchemas.signInSchema).returns<SignedIn>(),
  'session-sign-out': channel(schemas.emptyRequestSchema).returns<SessionStatus>(),
  'operator-list': channel(schemas.emptyRequestSchema).returns<Operator[]>(),
  'operator-create': channel(accessSchemas.operatorCreateSchema).returns<Operator>(),
  'operator-set-status': channel(accessSchemas.operatorSetStatusSchema).returns<Operator>(),
  'operator-set-role': channel(accessSchemas.operatorSetRoleSchema).returns<Operator>(),
  'operator-password-reset': channel(accessSchemas.passwordResetSchema).returns<Operator>(),
  'session-password-change': channel(accessSchemas.passwordChangeSchema).returns<Operator>(),
  'audit-list': channel(accessSchemas.auditListSchema).returns<Page<AuditEntry>>(),
  'audit-export': channel(accessSchemas.auditExportSchema).returns<AuditExport>(),
  'audit-actions': channel(schemas.emptyRequestSchema).returns<string[]>(),
  'approval-list': channel(accessSchemas.approvalListSchema).returns<PendingPayment[]>(),
  'approval-approve': channel(accessSchemas.approvalDecisionSchema).returns<PendingPayment>(),
  'approval-reject': channel(accessSchemas.approvalDecisionSchema).returns<PendingPayment>(),
  'approval-threshold-list': channel(schemas.emptyRequestSchema).returns<ApprovalThreshold[]>(),
  'approval-threshold-set': channel(accessSchemas.approvalThresholdSetSchema).returns<ApprovalThreshold[]>(),
  'backup-status': channel(schemas.emptyRequestSchema).returns<BackupStatus>(),
  'backup-create': channel(schemas.emptyRequestSchema).returns<BackupFile>(),
  'backup-folder-set': channel(accessSchemas.backupFolderSetSchema).returns<BackupStatus>(),
  'backup-restore': channel(accessSchemas.backupRestoreSchema).returns<RestoreOutcome>(),
};

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type RequestOf<Name extends ChannelName> = z.input<Channels[Name]['request']>;
export type ParsedRequestOf<Name extends ChannelName> = z.output<Channels[Name]['request']>;
export type ResponseOf<Name extends ChannelName> = NonNullable<Channels[Name]['response']>;

export const channelNames = Object.keys(channels) as ChannelName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

/** Events the engine pushes to every connected window, by name, with their payloads. */
export interface Events {
  'payment-recorded': PaymentRecordedEvent;
  'ledger-changed': LedgerChangedEvent;
  /** A batch moved on: sent at most batchProgressEventsPerSecond times a second, and on every status change. */
  'batch-progress': BatchProgressEvent;
  /** The metrics aggregates changed; sent at most every metricsTickIntervalMs. */
  'metrics-tick': MetricsTickEvent;
  'demo-load-changed': LoadGeneratorStatus;
}

export type EventName = keyof Events;

const eventNameList: { [Name in EventName]: true } = {
  'payment-recorded': true,
  'ledger-changed': true,
  'batch-progress': true,
  'metrics-tick': true,
  'demo-load-changed': true,
};

export const eventNames = Object.keys(eventNameList) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(eventNameList, name);
}

/** What the engine side implements: one function per channel, told who is asking (checked against shared/channel-roles.ts first). */
export type Handlers = {
  [Name in ChannelName]: (request: ParsedRequestOf<Name>, caller: Caller) => Promise<Result<ResponseOf<Name>>>;
};

/** What the renderer holds: invoke a channel, listen to an event. */
export interface PayDeskApi {
  invoke<Name extends ChannelName>(name: Name, request: RequestOf<Name>): Promise<Result<ResponseOf<Name>>>;
  on<Name extends EventName>(name: Name, listener: (payload: Events[Name]) => void): () => void;
}

/** The IPC channel prefix, so PayDesk's messages never collide with Electron's own. */
export const ipcPrefix = 'paydesk:';
export const ipcEventChannel = 'paydesk:event';
