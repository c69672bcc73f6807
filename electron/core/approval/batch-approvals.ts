import type { Caller } from '../../../shared/access';
import { accessLimits } from '../../../shared/access';
import {
  batchDetailRowsPerPage, type BatchApprovalDetail, type BatchMapping, type BatchStatus, type ControlTotal, type PendingBatch,
} from '../../../shared/batch';
import { formatMinorGrouped } from '../../../shared/money';
import { failure, success, type Result } from '../../../shared/result';
import type { LedgerStore } from '../ledger-store';
import type { AccountState } from '../ledger-state';
import { paymentIdsInLedger } from '../batch/batch-validation';
import type { CsvDialect } from '../batch/csv-source';
import { checkRow, readMappedGroups } from '../batch/row-check';
import { currentScope } from '../security/call-context';
import type { Approvals } from './approvals';
import type { BatchApprovalDecisionRecord, BatchApprovalHoldRecord } from './batch-approval-records';

/**
 * Four-eyes approval of batches. Starting a batch whose valid rows total more
 * than a currency's threshold holds it instead of running it: the totals per
 * debtor are reserved (withheld from every other payment and batch), until a
 * different operator with the approver role approves it (the reservation is
 * released and the batch runs) or rejects it (released; the batch ends rejected).
 */

export interface BatchTotals {
  byCurrency: Map<string, number>;
  byDebtor: Map<string, number>;
}

interface BatchApprovalRow {
  batch_id: string; totals: string; status: PendingBatch['status']; submitted_by: string; submitted_at_ms: number;
  decided_by: string | null; decided_at_ms: number | null; note: string | null;
  file_name: string; rows_total: number; rows_valid: number; batch_status: BatchStatus;
}

const selectSql = `SELECT a.*, b.file_name, b.rows_total, b.rows_valid, b.status AS batch_status
  FROM batch_approvals a JOIN batches b ON b.id = a.batch_id`;

/**
 * One pass over the file, streamed: the totals of the rows that pass the row
 * checks and are not already in the ledger, per currency and per debtor. A
 * payment id repeated inside the file is counted each time (validation marks
 * it invalid): the reservation errs on the side of holding too much. A total
 * that would pass 2^53 - 1 minor units cannot be added up exactly: the batch
 * is refused with AM02 (amount above the allowed maximum, as for a balance in
 * payment-decision.ts) rather than held with a total that is not the truth.
 */
export async function batchTotals(
  filePath: string, dialect: CsvDialect, mapping: BatchMapping, accounts: ReadonlyMap<string, AccountState>, store: LedgerStore,
): Promise<Result<BatchTotals>> {
  const totals: BatchTotals = { byCurrency: new Map(), byDebtor: new Map() };
  const ignoreProblem = () => undefined;
  for await (const { columns, records } of readMappedGroups(filePath, dialect, mapping)) {
    const rows = records.map((record) => checkRow(record, columns, accounts, ignoreProblem)).filter((row) => row !== null);
    const inLedger = paymentIdsInLedger(store.database, rows.map((row) => row.paymentId));
    for (const row of rows) {
      if (inLedger.has(row.paymentId)) continue;
      const currencyTotal = (totals.byCurrency.get(row.currency) ?? 0) + row.amountMinor;
      if (!Number.isSafeInteger(currencyTotal)) return totalTooLarge(row.currency, row.line);
      totals.byCurrency.set(row.currency, currencyTotal);
      // A debtor's total is part of its currency's total, so it is within the limit too.
      totals.byDebtor.set(row.debtor, (totals.byDebtor.get(row.debtor) ?? 0) + row.amountMinor);
    }
  }
  return success(totals);
}

function totalTooLarge(currency: string, line: number) {
  const limit = `${formatMinorGrouped(Number.MAX_SAFE_INTEGER, currency)} ${currency}`;
  return failure(
    'AM02',
    `The batch's ${currency} rows add up to more than ${limit} by line ${line}, the most PayDesk can hold exactly; split the file into smaller batches.`,
  );
}

/**
 * What an approver reads before deciding: the rows that will be paid (those
 * that pass the checks, first occurrence of an id, not yet in the ledger while
 * the batch waits), a page of them after `afterLine`, and their count and sum
 * per currency and per debtor over the whole file. One streamed pass.
 */
export async function batchDetail(
  filePath: string, dialect: CsvDialect, mapping: BatchMapping, accounts: ReadonlyMap<string, AccountState>, store: LedgerStore,
  batch: PendingBatch, afterLine: number,
): Promise<BatchApprovalDetail> {
  const byCurrency = new Map<string, ControlTotal>();
  const byDebtor = new Map<string, ControlTotal & { debtor: string }>();
  const detail: BatchApprovalDetail = { batch, byCurrency: [], byDebtor: [], rows: [], nextAfterLine: null };
  const seen = new Set<string>();
  const ignoreProblem = () => undefined;
  for await (const { columns, records } of readMappedGroups(filePath, dialect, mapping)) {
    const rows = records.map((record) => checkRow(record, columns, accounts, ignoreProblem)).filter((row) => row !== null);
    const inLedger = batch.status === 'pending' ? paymentIdsInLedger(store.database, rows.map((row) => row.paymentId)) : new Set<string>();
    for (const row of rows) {
      if (inLedger.has(row.paymentId) || seen.has(row.paymentId)) continue;
      seen.add(row.paymentId);
      addTo(byCurrency, row.currency, { currency: row.currency, count: 0, amountMinor: 0 }, row.amountMinor);
      addTo(byDebtor, row.debtor, { debtor: row.debtor, currency: row.currency, count: 0, amountMinor: 0 }, row.amountMinor);
      if (row.line <= afterLine) continue;
      if (detail.rows.length < batchDetailRowsPerPage) detail.rows.push(row);
      else detail.nextAfterLine ??= detail.rows[detail.rows.length - 1].line;
    }
  }
  detail.byCurrency = [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
  detail.byDebtor = [...byDebtor.values()].sort((a, b) => a.currency.localeCompare(b.currency) || b.amountMinor - a.amountMinor);
  return detail;
}

function addTo<Total extends ControlTotal>(totals: Map<string, Total>, key: string, empty: Total, amountMinor: number): void {
  const total = totals.get(key) ?? empty;
  total.count++;
  total.amountMinor += amountMinor;
  totals.set(key, total);
}

export class BatchApprovals {
  constructor(
    private readonly store: LedgerStore,
    private readonly approvals: Approvals,
  ) {}

  /** True when some currency's total is above that currency's threshold. */
  needsApproval(totals: BatchTotals): boolean {
    return [...totals.byCurrency].some(([currency, amountMinor]) => this.approvals.needsApproval(amountMinor, currency));
  }

  /**
   * The hold record: each debtor's total is reserved, capped at what the
   * debtor can spend now (its balance above the floor, less what is already
   * reserved), so available funds never fall below the floor.
   */
  holdRecord(batchId: string, totals: BatchTotals): BatchApprovalHoldRecord {
    const reserved: [string, number][] = [];
    for (const [debtorCode, totalMinor] of totals.byDebtor) {
      const account = this.store.state.accounts.get(debtorCode);
      if (account === undefined) continue;
      const spendable = account.kind === 'equity'
        ? totalMinor
        : Math.max(0, account.balanceMinor + account.overdraftLimitMinor - this.approvals.reservedMinor(debtorCode));
      const amountMinor = Math.min(totalMinor, spendable);
      if (amountMinor > 0) reserved.push([debtorCode, amountMinor]);
    }
    const by = currentScope()?.caller.username ?? 'system';
    return { t: 'batch-approval-hold', id: batchId, totals: [...totals.byCurrency], reserved, by, at: Date.now() };
  }

  decisionRecord(batchId: string, status: 'approved' | 'rejected', caller: Caller, note: string | undefined): BatchApprovalDecisionRecord {
    return { t: 'batch-approval-decision', id: batchId, status, by: caller.username, at: Date.now(), note: note ?? null };
  }

  find(batchId: string): PendingBatch | undefined {
    const row = this.store.database.get<BatchApprovalRow>(`${selectSql} WHERE a.batch_id = ?`, [batchId]);
    return row === undefined ? undefined : toPendingBatch(row, Date.now());
  }

  list(status: PendingBatch['status'] | undefined): PendingBatch[] {
    const order = status === 'pending' ? 'ASC' : 'DESC';
    const where = status === undefined ? '' : 'WHERE a.status = ?';
    const rows = this.store.database.all<BatchApprovalRow>(`${selectSql} ${where} ORDER BY a.submitted_at_ms ${order} LIMIT ?`, [
      ...(status === undefined ? [] : [status]),
      accessLimits.approvalListMax,
    ]);
    const nowMs = Date.now();
    return rows.map((row) => toPendingBatch(row, nowMs));
  }

  /** The batch, when this caller may decide it now. */
  decidable(batchId: string, caller: Caller, verb: 'approve' | 'reject'): Result<PendingBatch> {
    const held = this.find(batchId);
    if (held === undefined) return failure('NOT_FOUND', `No batch ${batchId} is waiting for approval.`, 'batchId');
    if (held.status !== 'pending') {
      return failure('APPROVAL_DECIDED', `Batch ${batchId} was already ${held.status} by ${held.decidedBy ?? 'someone'}.`, 'batchId');
    }
    if (held.submittedBy === caller.username) {
      return failure('SELF_APPROVAL', `You started batch ${batchId}, so you cannot ${verb} it: another approver must decide.`, 'batchId');
    }
    return success(held);
  }
}

function toPendingBatch(row: BatchApprovalRow, nowMs: number): PendingBatch {
  const totals = (JSON.parse(row.totals) as [string, number][]).map(([currency, amountMinor]) => ({ currency, amountMinor }));
  return {
    batchId: row.batch_id, fileName: row.file_name, rows: row.rows_total, valid: row.rows_valid, totals, status: row.status,
    batchStatus: row.batch_status, submittedBy: row.submitted_by, submittedAtMs: row.submitted_at_ms,
    ageMs: Math.max(0, (row.decided_at_ms ?? nowMs) - row.submitted_at_ms), decidedBy: row.decided_by, decidedAtMs: row.decided_at_ms,
    note: row.note,
  };
}
