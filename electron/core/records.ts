import type { AccountKind, AccountStatus, PaymentChannel } from '../../shared/domain';
import type { ReasonCode } from '../../shared/codes';
import type { BatchRecord } from './batch/batch-records';
import type { ReconciliationRecord } from './reconciliation/reconciliation-records';
import type { ControlRecord } from './security/control-records';
import type { BatchApprovalRecord } from './approval/batch-approval-records';
import type { AccountIdentifierRecord, AccountIdentifierRemovedRecord } from './accounts/account-identifiers';

/**
 * What the journal holds: each record is a decision already taken, so replay
 * applies it exactly as the live path did, without deciding again. Keys are
 * short because a batch writes millions of them.
 */
export interface AccountRecord {
  t: 'account';
  id: number;
  code: string;
  name: string;
  currency: string;
  kind: AccountKind;
  overdraftLimitMinor: number;
  createdAtMs: number;
}

export interface AccountStatusRecord {
  t: 'status';
  code: string;
  status: AccountStatus;
}

/** One payment and its outcome. `s` is 1 when accepted (posted), 0 when rejected. */
export interface PaymentRow {
  seq: number;
  id: string;
  d: string;
  c: string;
  a: number;
  cur: string;
  ref: string;
  s: 0 | 1;
  code: ReasonCode;
  msg: string | null;
  ch: PaymentChannel;
  b: string | null;
  l: number | null;
  at: number;
}

export interface PaymentsRecord {
  t: 'payments';
  rows: PaymentRow[];
}

/** Latencies measured after the acknowledgement: pairs of payment seq and PLT in microseconds. */
export interface LatencyRecord {
  t: 'latency';
  pairs: number[];
}

export type LedgerRecord = AccountRecord | AccountStatusRecord | PaymentsRecord | LatencyRecord | BatchRecord | ReconciliationRecord | ControlRecord
  | BatchApprovalRecord | AccountIdentifierRecord | AccountIdentifierRemovedRecord;
