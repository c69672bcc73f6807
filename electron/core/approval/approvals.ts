import type { ApprovalStatus, ApprovalThreshold, Caller, PendingPayment } from '../../../shared/access';
import { accessLimits } from '../../../shared/access';
import { sentenceFor } from '../../../shared/codes';
import type { Page, PaymentOutcome, PaymentRecord } from '../../../shared/domain';
import { isKnownCurrency } from '../../../shared/currencies';
import { describeThresholdChange } from '../../../shared/approval-thresholds';
import { parseAmount, parseAmountInput } from '../../../shared/money';
import { failure, success, type Result } from '../../../shared/result';
import type { EngineEvents } from '../events';
import type { LedgerStore } from '../ledger-store';
import type { AccountState } from '../ledger-state';
import { decidePayment } from '../payment-decision';
import type { PaymentRow } from '../records';
import { currentScope } from '../security/call-context';

/**
 * Four-eyes approval of real-time payments. A payment above its currency's
 * threshold that would be accepted now is held instead of posted: its amount
 * is reserved (counted against the debtor's available balance, never moving a
 * balance), until a different operator with the approver role approves it
 * (posted as an ordinary transfer) or rejects it (the reservation released).
 * Held and decided payments stay in the approvals table and the audit trail.
 */
export const approvalThresholdKeyPrefix = 'approval-threshold:';

export interface HeldRequest {
  paymentId: string;
  debtor: string;
  creditor: string;
  amount: string;
  currency: string;
}

interface ApprovalRow {
  payment_id: string;
  debtor_code: string;
  creditor_code: string;
  amount_minor: number;
  currency: string;
  reference: string;
  status: ApprovalStatus;
  submitted_by: string;
  submitted_at_ms: number;
  decided_by: string | null;
  decided_at_ms: number | null;
  note: string | null;
}

export class Approvals {
  constructor(
    private readonly store: LedgerStore,
    private readonly events: EngineEvents,
  ) {}

  thresholds(): ApprovalThreshold[] {
    return this.store.database
      .all<{ key: string; value: string }>('SELECT key, value FROM settings WHERE key LIKE ? ORDER BY key', [`${approvalThresholdKeyPrefix}%`])
      .map((row) => ({ currency: row.key.slice(approvalThresholdKeyPrefix.length), thresholdMinor: Number(row.value) }));
  }

  /**
   * Sets or removes a threshold. Removing or raising one lets more payments
   * post without a second operator: it needs `confirmed`. The audit entry
   * names the change in decimal amounts with the currency.
   */
  async setThreshold(currency: string, amount: string | null, confirmed: boolean): Promise<Result<ApprovalThreshold[]>> {
    if (!isKnownCurrency(currency)) return failure('AM03', `${currency} is not an active ISO 4217 currency.`, 'currency');
    const current = this.thresholds().find((threshold) => threshold.currency === currency);
    if (amount === null && current === undefined) return failure('NOT_FOUND', `${currency} has no approval threshold to remove.`, 'currency');
    let amountMinor: number | null = null;
    if (amount !== null) {
      const parsed = parseAmountInput(amount, currency);
      if (!parsed.ok) return { ...parsed, field: 'amount' };
      amountMinor = parsed.value;
    }
    if (current !== undefined && amountMinor === current.thresholdMinor) return success(this.thresholds());
    const change = describeThresholdChange(currency, current?.thresholdMinor ?? null, amountMinor);
    if (change.weakens && !confirmed) return failure('CONFIRMATION_REQUIRED', `${change.sentence} Confirm to go on.`, 'confirmed');
    const record = { t: 'setting', key: `${approvalThresholdKeyPrefix}${currency}`, value: amountMinor === null ? null : String(amountMinor) } as const;
    const note = { target: `${currency} threshold`, detail: change.weakens ? `${change.sentence} (confirmed)` : change.sentence };
    await this.store.whenDurable(this.store.commit([record], note));
    return success(this.thresholds());
  }

  needsApproval(amountMinor: number, currency: string): boolean {
    const threshold = this.store.database.value('SELECT value FROM settings WHERE key = ?', [`${approvalThresholdKeyPrefix}${currency}`]);
    return threshold !== undefined && amountMinor > Number(threshold);
  }

  /** What payments and batches waiting for approval reserve of an account (batch reservations are deleted once decided). */
  reservedMinor(accountCode: string, exceptPaymentId = ''): number {
    const sql = `SELECT COALESCE(SUM(amount_minor), 0) FROM approvals WHERE status = 'pending' AND debtor_code = ? AND payment_id <> ?`;
    const batchSql = 'SELECT COALESCE(SUM(amount_minor), 0) FROM batch_reservations WHERE debtor_code = ?';
    return Number(this.store.database.value(sql, [accountCode, exceptPaymentId])) + Number(this.store.database.value(batchSql, [accountCode]));
  }

  /** What is reserved per debtor account, for the account list: one grouped query each for payments and batches. */
  reservedByAccount(): Map<string, number> {
    const reserved = new Map<string, number>();
    const add = (rows: { code: string; total: number }[]) => {
      for (const row of rows) reserved.set(row.code, (reserved.get(row.code) ?? 0) + Number(row.total));
    };
    add(this.store.database.all("SELECT debtor_code AS code, SUM(amount_minor) AS total FROM approvals WHERE status = 'pending' GROUP BY debtor_code"));
    add(this.store.database.all('SELECT debtor_code AS code, SUM(amount_minor) AS total FROM batch_reservations GROUP BY debtor_code'));
    return reserved;
  }

  /** Payments waiting for approval as Payment history lists them (status pending), newest first, filtered like the history. */
  pendingAsPayments(filter: { account?: string; fromMs?: number; toMs?: number; limit?: number }): Page<PaymentRecord> {
    const rows = this.store.database.all<ApprovalRow>(
      `SELECT * FROM approvals WHERE status = 'pending' AND submitted_at_ms BETWEEN ? AND ?
       AND (? IS NULL OR debtor_code = ? OR creditor_code = ?) ORDER BY submitted_at_ms DESC LIMIT ?`,
      [filter.fromMs ?? 0, filter.toMs ?? Number.MAX_SAFE_INTEGER, filter.account ?? null, filter.account ?? null, filter.account ?? null,
        Math.min(filter.limit ?? accessLimits.approvalListMax, accessLimits.approvalListMax)],
    );
    const items = rows.map((row): PaymentRecord => {
      const held = toPendingPayment(row, Date.now());
      return {
        paymentId: held.paymentId, debtor: held.debtor, creditor: held.creditor, amountMinor: held.amountMinor, currency: held.currency,
        reference: held.reference, status: 'pending', code: 'PENDING_APPROVAL', message: heldOutcome(held, false).message, channel: 'realtime',
        batchId: null, line: null, receivedAtMs: held.submittedAtMs, pltUs: null,
      };
    });
    return { items, nextCursor: null };
  }

  /** The debtor as a payment decision must see it: its balance less what pending approvals reserve. */
  available(debtor: AccountState | undefined, exceptPaymentId = ''): AccountState | undefined {
    if (debtor === undefined) return undefined;
    const reserved = this.reservedMinor(debtor.code, exceptPaymentId);
    return reserved === 0 ? debtor : { ...debtor, balanceMinor: debtor.balanceMinor - reserved };
  }

  find(paymentId: string): PendingPayment | undefined {
    const row = this.store.database.get<ApprovalRow>('SELECT * FROM approvals WHERE payment_id = ?', [paymentId]);
    return row === undefined ? undefined : toPendingPayment(row, Date.now());
  }

  list(status: ApprovalStatus | undefined): PendingPayment[] {
    const order = status === 'pending' ? 'ASC' : 'DESC';
    const where = status === undefined ? '' : 'WHERE status = ?';
    const rows = this.store.database.all<ApprovalRow>(`SELECT * FROM approvals ${where} ORDER BY submitted_at_ms ${order} LIMIT ?`, [
      ...(status === undefined ? [] : [status]),
      accessLimits.approvalListMax,
    ]);
    const nowMs = Date.now();
    return rows.map((row) => toPendingPayment(row, nowMs));
  }

  /** The same payment id again while held or after rejection: the same answer, or DUPL if the content differs. */
  repeat(request: HeldRequest, reference: string): Result<PaymentOutcome> | null {
    const held = this.find(request.paymentId);
    if (held === undefined) return null;
    const amount = parseAmountInput(request.amount, request.currency);
    const same = amount.ok && amount.value === held.amountMinor && held.debtor === request.debtor && held.creditor === request.creditor &&
      held.currency === request.currency && held.reference === reference;
    if (!same) return failure('DUPL', `Payment id ${request.paymentId} was already used for a different payment; choose a new id.`, 'paymentId');
    return success(heldOutcome(held, true));
  }

  async hold(request: HeldRequest, amountMinor: number, reference: string): Promise<Result<PaymentOutcome>> {
    const submittedBy = currentScope()?.caller.username ?? 'system';
    const record = {
      t: 'approval-hold', id: request.paymentId, d: request.debtor, c: request.creditor, a: amountMinor, cur: request.currency,
      ref: reference, by: submittedBy, at: Date.now(),
    } as const;
    await this.store.whenDurable(this.store.commit([record]));
    this.events.emit('ledger-changed', { reason: 'payment' });
    return success(heldOutcome(this.find(request.paymentId)!, false));
  }

  async approve(paymentId: string, caller: Caller, note: string | undefined): Promise<Result<PendingPayment>> {
    const held = this.decidable(paymentId, caller, 'approve');
    if (!held.ok) return held;
    const payment = held.value;
    const state = this.store.state;
    const debtor = this.available(state.accounts.get(payment.debtor), paymentId);
    const creditor = state.accounts.get(payment.creditor);
    const rejection = decidePayment(payment.debtor, payment.creditor, debtor, creditor, payment.amountMinor, payment.currency);
    if (rejection !== null) return failure(rejection.code, `Payment ${paymentId} cannot be posted now: ${rejection.message}`);
    const row: PaymentRow = {
      seq: state.lastPaymentSeq + 1, id: paymentId, d: payment.debtor, c: payment.creditor, a: payment.amountMinor, cur: payment.currency,
      ref: payment.reference, s: 1, code: 'ACSC', msg: null, ch: 'realtime', b: null, l: null, at: state.nextReceivedAtMs(),
    };
    const decision = { t: 'approval-decision', id: paymentId, status: 'approved', by: caller.username, at: Date.now(), note: note ?? null } as const;
    await this.store.whenDurable(this.store.commit([decision, { t: 'payments', rows: [row] }]));
    this.events.emit('payment-recorded', {
      paymentId, status: 'accepted', code: 'ACSC', channel: 'realtime', pltUs: null, amountMinor: row.a, currency: row.cur,
    });
    this.events.emit('ledger-changed', { reason: 'payment' });
    return success(this.find(paymentId)!);
  }

  async reject(paymentId: string, caller: Caller, note: string | undefined): Promise<Result<PendingPayment>> {
    const held = this.decidable(paymentId, caller, 'reject');
    if (!held.ok) return held;
    const decision = { t: 'approval-decision', id: paymentId, status: 'rejected', by: caller.username, at: Date.now(), note: note ?? null } as const;
    await this.store.whenDurable(this.store.commit([decision]));
    this.events.emit('ledger-changed', { reason: 'payment' });
    return success(this.find(paymentId)!);
  }

  private decidable(paymentId: string, caller: Caller, verb: 'approve' | 'reject'): Result<PendingPayment> {
    const held = this.find(paymentId);
    if (held === undefined) return failure('NOT_FOUND', `No payment ${paymentId} is waiting for approval.`, 'paymentId');
    if (held.status !== 'pending') {
      return failure('APPROVAL_DECIDED', `Payment ${paymentId} was already ${held.status} by ${held.decidedBy ?? 'someone'}.`, 'paymentId');
    }
    if (held.submittedBy === caller.username) {
      return failure('SELF_APPROVAL', `You submitted payment ${paymentId}, so you cannot ${verb} it: another approver must decide.`, 'paymentId');
    }
    return success(held);
  }
}

function toPendingPayment(row: ApprovalRow, nowMs: number): PendingPayment {
  return {
    paymentId: row.payment_id,
    debtor: row.debtor_code,
    creditor: row.creditor_code,
    amountMinor: row.amount_minor,
    currency: row.currency,
    reference: row.reference,
    status: row.status,
    submittedBy: row.submitted_by,
    submittedAtMs: row.submitted_at_ms,
    ageMs: Math.max(0, (row.decided_at_ms ?? nowMs) - row.submitted_at_ms),
    decidedBy: row.decided_by,
    decidedAtMs: row.decided_at_ms,
    note: row.note,
  };
}

function heldOutcome(held: PendingPayment, replayed: boolean): PaymentOutcome {
  if (held.status === 'rejected') {
    const message = `Rejected by ${held.decidedBy ?? 'an approver'}${held.note ? `: ${held.note}` : ''}. ${sentenceFor('APPROVAL_REJECTED')}`;
    return { paymentId: held.paymentId, status: 'rejected', code: 'APPROVAL_REJECTED', message, pltUs: null, replayed };
  }
  const message = `Waiting for approval: a second operator with the approver role must approve it. The amount is reserved.`;
  return { paymentId: held.paymentId, status: 'pending', code: 'PENDING_APPROVAL', message, pltUs: null, replayed };
}
