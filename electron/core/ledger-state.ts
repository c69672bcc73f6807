import type { Account, AccountKind, AccountStatus } from '../../shared/domain';
import type { Params, SqliteDatabase } from './storage/sqlite';
import { applyBatchRecord, isBatchRecord } from './batch/batch-records';
import { applyReconciliationRecord, isReconciliationRecord } from './reconciliation/reconciliation-records';
import { applyControlRecord, isControlRecord } from './security/control-records';
import { applyBatchApprovalRecord, isBatchApprovalRecord } from './approval/batch-approval-records';
import {
  applyAccountIdentifierRecord, applyAccountIdentifierRemovedRecord, isAccountIdentifierRecord, isAccountIdentifierRemovedRecord,
} from './accounts/account-identifiers';
import type { AccountRecord, AccountStatusRecord, LatencyRecord, LedgerRecord, PaymentRow } from './records';
import { MetricsAggregates } from './metrics/aggregates';
import { StampClock } from './clock';

/** The in-memory view of an account that decisions read (the contract's Account plus its row id); the database row follows it. */
export interface AccountState extends Omit<Account, 'reservedMinor'> {
  id: number;
}

/** A payment row's columns, in the order applyPayments lays out their values. */
const insertPayment = `INSERT INTO payments (seq, payment_id, debtor_id, creditor_id, debtor_code, creditor_code,
  amount_minor, currency, reference, status, code, message, channel, batch_id, line, received_at_ms)`;
const paymentColumns = 16;

/**
 * A payment stamped earlier than the payment before it (the clock went back)
 * starts a new stretch of ascending stamps; queries by time search each
 * stretch (queries.ts). Replaces, so a replayed payment lands on the same row.
 */
const insertClockStep = 'INSERT OR REPLACE INTO payment_clock_steps (seq, at_ms, previous_at_ms) VALUES (?, ?, ?)';

/** Replaces, so a replayed latency record lands on the same row. */
const insertLatency = 'INSERT OR REPLACE INTO payment_latency (seq, plt_us)';

/**
 * Applies journal records to the database and keeps the account cache in step.
 * The live path and recovery both come through `apply`, so a replay lands on
 * exactly the state the live path acknowledged.
 */
export class LedgerState {
  readonly accounts = new Map<string, AccountState>();
  private readonly accountsById = new Map<number, AccountState>();
  lastPaymentSeq = 0;
  lastAccountId = 0;
  /** The stamp of the newest payment (by seq), or of the stamp just handed out for one being decided. */
  lastReceivedAtMs = 0;
  /** The stamp of the newest payment applied to the database, by seq. */
  private lastAppliedAtMs = 0;
  /** Where stamps come from; the engine swaps in its own (an injected clock in tests). */
  stampClock = new StampClock();
  /** Per-window PLT, PT and PSR aggregates, written in the same transaction as the payments. */
  readonly metrics: MetricsAggregates;

  constructor(private readonly database: SqliteDatabase) {
    this.metrics = new MetricsAggregates(database);
    this.reload();
  }

  /** Re-reads the caches from the database (at open, and after a failed transaction). */
  reload(): void {
    this.metrics.discard();
    this.accounts.clear();
    this.accountsById.clear();
    for (const row of this.database.all<Record<string, number | string>>('SELECT * FROM accounts')) {
      const account: AccountState = {
        id: Number(row.id),
        code: String(row.code),
        name: String(row.name),
        currency: String(row.currency),
        kind: row.kind as AccountKind,
        status: row.status as AccountStatus,
        overdraftLimitMinor: Number(row.overdraft_limit_minor),
        balanceMinor: Number(row.balance_minor),
        createdAtMs: Number(row.created_at_ms),
      };
      this.accounts.set(account.code, account);
      this.accountsById.set(account.id, account);
    }
    this.lastAccountId = Number(this.database.value('SELECT COALESCE(MAX(id), 0) FROM accounts'));
    const last = this.database.get<{ seq: number; at: number }>(
      'SELECT seq, received_at_ms AS at FROM payments ORDER BY seq DESC LIMIT 1',
    );
    this.lastPaymentSeq = last?.seq ?? 0;
    this.lastReceivedAtMs = last?.at ?? 0;
    this.lastAppliedAtMs = this.lastReceivedAtMs;
  }

  /**
   * The receive time of the next payment: the clock as read. It is never
   * raised to the previous stamp: one run with the clock years ahead would
   * otherwise stamp every later payment in the future. `seq` keeps the order;
   * a jump is noticed by the clock and noted in the audit trail (Engine).
   */
  nextReceivedAtMs(): number {
    this.lastReceivedAtMs = this.stampClock.read(this.lastReceivedAtMs);
    return this.lastReceivedAtMs;
  }

  apply(record: LedgerRecord): void {
    switch (record.t) {
      case 'account':
        return this.applyAccount(record);
      case 'status':
        return this.applyStatus(record);
      case 'payments':
        return this.applyPayments(record.rows);
      case 'latency':
        return this.applyLatency(record);
      default:
        if (isBatchRecord(record)) return applyBatchRecord(this.database, record, this.metrics);
        if (isReconciliationRecord(record)) return applyReconciliationRecord(this.database, record);
        if (isControlRecord(record)) return applyControlRecord(this.database, record);
        if (isBatchApprovalRecord(record)) return applyBatchApprovalRecord(this.database, record);
        if (isAccountIdentifierRecord(record)) return applyAccountIdentifierRecord(this.database, record);
        if (isAccountIdentifierRemovedRecord(record)) return applyAccountIdentifierRemovedRecord(this.database, record);
        throw new Error(`unknown journal record type ${(record as { t: unknown }).t}`);
    }
  }

  private applyAccount(record: AccountRecord): void {
    this.database.run(
      `INSERT INTO accounts (id, code, name, currency, kind, status, overdraft_limit_minor, balance_minor, created_at_ms)
       VALUES (?, ?, ?, ?, ?, 'open', ?, 0, ?)`,
      [record.id, record.code, record.name, record.currency, record.kind, record.overdraftLimitMinor, record.createdAtMs],
    );
    const account: AccountState = { ...record, status: 'open', balanceMinor: 0 };
    delete (account as Partial<AccountRecord>).t;
    this.accounts.set(account.code, account);
    this.accountsById.set(account.id, account);
    this.lastAccountId = Math.max(this.lastAccountId, record.id);
  }

  private applyStatus(record: AccountStatusRecord): void {
    const account = this.requireAccount(record.code);
    this.database.run('UPDATE accounts SET status = ? WHERE id = ?', [record.status, account.id]);
    account.status = record.status;
  }

  /**
   * Moves the cached balances row by row, inserts the payments with multi-row
   * INSERTs, then writes each touched account's balance once: a batch chunk of
   * ten thousand rows between a few hundred accounts costs a few hundred
   * UPDATEs, not twenty thousand. A failure rolls the transaction back and the
   * store reloads the caches (LedgerStore.commit).
   */
  private applyPayments(rows: PaymentRow[]): void {
    const values: Params = new Array(rows.length * paymentColumns);
    const touched = new Set<AccountState>();
    let at = 0;
    for (const row of rows) {
      const debtor = this.accounts.get(row.d);
      const creditor = this.accounts.get(row.c);
      values[at++] = row.seq; values[at++] = row.id; values[at++] = debtor?.id ?? null; values[at++] = creditor?.id ?? null;
      values[at++] = row.d; values[at++] = row.c; values[at++] = row.a; values[at++] = row.cur; values[at++] = row.ref;
      values[at++] = row.s; values[at++] = row.code; values[at++] = row.msg; values[at++] = row.ch; values[at++] = row.b;
      values[at++] = row.l; values[at++] = row.at;
      if (row.seq > this.lastPaymentSeq) this.notePaymentStamp(row.seq, row.at);
      this.metrics.recordPayment(row);
      if (row.s !== 1) continue;
      if (debtor === undefined || creditor === undefined) throw new Error(`posted payment ${row.id} names an unknown account`);
      if (debtor.currency !== row.cur || creditor.currency !== row.cur) throw new Error(`posted payment ${row.id} crosses currencies`);
      debtor.balanceMinor -= row.a;
      creditor.balanceMinor += row.a;
      touched.add(debtor);
      touched.add(creditor);
    }
    this.database.insertRows(insertPayment, paymentColumns, values);
    for (const account of touched) {
      if (!Number.isSafeInteger(account.balanceMinor)) throw new Error(`the balance of ${account.code} left the safe integer range`);
      this.database.run('UPDATE accounts SET balance_minor = ? WHERE id = ?', [account.balanceMinor, account.id]);
    }
  }

  /** Keeps the newest stamp, and records where a stamp is earlier than the one before it. */
  private notePaymentStamp(seq: number, atMs: number): void {
    if (atMs < this.lastAppliedAtMs) this.database.run(insertClockStep, [seq, atMs, this.lastAppliedAtMs]);
    this.lastPaymentSeq = seq;
    this.lastAppliedAtMs = atMs;
    this.lastReceivedAtMs = atMs;
  }

  private applyLatency(record: LatencyRecord): void {
    this.database.insertRows(insertLatency, 2, record.pairs);
    for (let index = 0; index < record.pairs.length; index += 2) {
      this.metrics.recordLatency(record.pairs[index], record.pairs[index + 1]);
      this.pendingLatencyUs.delete(record.pairs[index]);
    }
  }

  /** Latencies measured but not yet written (they ride the next commit): reads see them at once. */
  readonly pendingLatencyUs = new Map<number, number>();

  notePendingLatency(seq: number, pltUs: number): void {
    this.pendingLatencyUs.set(seq, pltUs);
  }

  requireAccount(code: string): AccountState {
    const account = this.accounts.get(code);
    if (account === undefined) throw new Error(`account ${code} is not in the ledger`);
    return account;
  }

  accountById(id: number): AccountState | undefined {
    return this.accountsById.get(id);
  }
}

/** A copy for the renderer, without the row id. */
/** The account as the renderer sees it; `reservedMinor` is what approvals hold of it (Approvals.reservedMinor). */
export function toAccount(state: AccountState, reservedMinor = 0): Account {
  const { id: _id, ...account } = state;
  return { ...account, reservedMinor };
}
