import type { ReasonCode } from './codes';

/** Limits on what crosses the process boundary, named so they can be found. */
export const limits = {
  accountCodeLength: 34,
  /** An IBAN has at most 34 characters; other bank account ids are kept as long as 64. */
  accountIdentifierLength: 64,
  accountNameLength: 140,
  paymentIdLength: 64,
  referenceLength: 140,
  amountTextLength: 40,
  searchTextLength: 100,
  pageSizeMax: 500,
} as const;

/**
 * The possible-duplicate rule, stated on the payment form: a payment with the
 * same debtor, creditor, amount, currency and reference as a real-time payment
 * accepted or waiting for approval this recently asks for a confirmation.
 */
export const duplicateWindowMs = 10 * 60 * 1000;

export const accountKinds = ['customer', 'internal', 'equity'] as const;
export type AccountKind = (typeof accountKinds)[number];

export const accountStatuses = ['open', 'blocked', 'closed'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

export interface Account {
  code: string;
  name: string;
  currency: string;
  kind: AccountKind;
  status: AccountStatus;
  /** How far below zero the balance may go; 0 means no overdraft. Equity accounts have no floor. */
  overdraftLimitMinor: number;
  balanceMinor: number;
  /** Held for payments and batches waiting for approval: available to spend is balanceMinor - reservedMinor. */
  reservedMinor: number;
  createdAtMs: number;
}

/** An identifier a bank gives the account: its IBAN, or the bank's other account id. */
export interface AccountIdentifier {
  account: string;
  kind: 'iban' | 'other';
  /** IBANs in electronic form: upper case, no spaces. */
  value: string;
  createdAtMs: number;
}

export interface PaymentRequest {
  /** Chosen by the submitter: the same id again returns the first outcome. */
  paymentId: string;
  debtor: string;
  creditor: string;
  /** A decimal string in the currency's units, such as "125.50". */
  amount: string;
  currency: string;
  reference?: string;
}

export const paymentStatuses = ['accepted', 'rejected'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];
/** What Payment history filters by: a payment held for four-eyes approval is `pending` until decided. */
export const paymentListStatuses = [...paymentStatuses, 'pending'] as const;
export type PaymentListStatus = (typeof paymentListStatuses)[number];

export const paymentChannels = ['realtime', 'batch', 'opening'] as const;
export type PaymentChannel = (typeof paymentChannels)[number];

export interface PaymentOutcome {
  paymentId: string;
  /** pending: held for four-eyes approval (amount reserved), see shared/access.ts. */
  status: PaymentStatus | 'pending';
  /** ACSC when accepted, otherwise the rejection's reason code. */
  code: ReasonCode;
  message: string;
  /** Payment latency T2 - T1 in microseconds; null while not yet measured. */
  pltUs: number | null;
  /** True when this answer repeats the first outcome of an id seen before. */
  replayed: boolean;
}

export interface PaymentRecord {
  paymentId: string;
  debtor: string;
  creditor: string;
  amountMinor: number;
  currency: string;
  reference: string;
  /** pending: held for four-eyes approval, its amount reserved; listed only by the `pending` filter. */
  status: PaymentStatus | 'pending';
  code: ReasonCode;
  message: string;
  channel: PaymentChannel;
  batchId: string | null;
  line: number | null;
  receivedAtMs: number;
  pltUs: number | null;
}

/** One line of an account's statement: a posted transfer seen from that account. */
export interface StatementEntry {
  paymentId: string;
  counterparty: string;
  reference: string;
  /** Positive when the account was credited, negative when debited. */
  amountMinor: number;
  balanceAfterMinor: number;
  receivedAtMs: number;
}

export interface Page<T> {
  items: T[];
  /** Pass back to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface AccountStatement extends Page<StatementEntry> {
  account: Account;
}

export interface LedgerInfo {
  path: string;
  fileName: string;
  accounts: number;
  payments: number;
  currencies: string[];
  openedAtMs: number;
  /** A demo ledger (created by `paydesk demo` or `paydesk init --demo`): the header says so, and only it runs the load generator. */
  demo: boolean;
}

export interface VerifyReport {
  ok: boolean;
  problems: string[];
  checkedAccounts: number;
  checkedPayments: number;
}

export type PaymentRecordedEvent = Pick<PaymentRecord, 'paymentId' | 'status' | 'code' | 'channel' | 'pltUs'> & {
  amountMinor: number;
  currency: string;
};

export interface LedgerChangedEvent {
  /** 'remote': another desk changed a shared ledger (payments, approvals, batches, accounts). */
  reason: 'payment' | 'account' | 'batch' | 'opened' | 'remote';
}
