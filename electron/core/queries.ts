import type { ReasonCode } from '../../shared/codes';
import { sentenceFor } from '../../shared/codes';
import type { Page, PaymentChannel, PaymentRecord, StatementEntry } from '../../shared/domain';
import type { Params, SqliteDatabase } from './storage/sqlite';

/** Default and largest page for lists: a screenful, and a bound on what one request reads. */
export const defaultPageSize = 50;

const paymentColumns = `seq, payment_id, debtor_code, creditor_code, amount_minor, currency, reference, status, code,
  message, channel, batch_id, line, received_at_ms,
  (SELECT plt_us FROM payment_latency WHERE payment_latency.seq = payments.seq) AS plt_us`;

interface PaymentRowFromDb {
  seq: number;
  payment_id: string;
  debtor_code: string;
  creditor_code: string;
  amount_minor: number;
  currency: string;
  reference: string;
  status: number;
  code: string;
  message: string | null;
  channel: string;
  batch_id: string | null;
  line: number | null;
  received_at_ms: number;
  plt_us: number | null;
}

/** Latencies measured but not yet written to the table (see LedgerStore.recordLatency). */
export type PendingLatencies = ReadonlyMap<number, number>;

export function toPaymentRecord(row: PaymentRowFromDb, pending?: PendingLatencies): PaymentRecord {
  const code = row.code as ReasonCode;
  return {
    paymentId: row.payment_id,
    debtor: row.debtor_code,
    creditor: row.creditor_code,
    amountMinor: row.amount_minor,
    currency: row.currency,
    reference: row.reference,
    status: row.status === 1 ? 'accepted' : 'rejected',
    code,
    message: row.message ?? sentenceFor(code),
    channel: row.channel as PaymentChannel,
    batchId: row.batch_id,
    line: row.line,
    receivedAtMs: row.received_at_ms,
    pltUs: row.plt_us ?? pending?.get(row.seq) ?? null,
  };
}

export function findPayment(
  database: SqliteDatabase,
  paymentId: string,
  pending?: PendingLatencies,
): (PaymentRecord & { seq: number }) | undefined {
  const row = database.get<PaymentRowFromDb>(`SELECT ${paymentColumns} FROM payments WHERE payment_id = ?`, [paymentId]);
  return row === undefined ? undefined : { ...toPaymentRecord(row, pending), seq: row.seq };
}

export interface PaymentFilter {
  status?: 'accepted' | 'rejected';
  accountId?: number | null;
  fromMs?: number;
  toMs?: number;
  limit?: number;
  cursor?: string | null;
}

/**
 * Newest first, by keyset on `seq`: each page is an index range read, so the
 * hundredth page costs what the first does on a million payments. A time range
 * becomes a `seq` range by binary search, since `seq` order is time order.
 */
export function listPayments(database: SqliteDatabase, filter: PaymentFilter, pending?: PendingLatencies): Page<PaymentRecord> {
  const limit = filter.limit ?? defaultPageSize;
  let upperSeq = filter.cursor ? Number(filter.cursor) - 1 : Number.MAX_SAFE_INTEGER;
  let lowerSeq = 1;
  if (filter.toMs !== undefined) upperSeq = Math.min(upperSeq, firstSeqAtOrAfter(database, filter.toMs + 1) - 1);
  if (filter.fromMs !== undefined) lowerSeq = firstSeqAtOrAfter(database, filter.fromMs);
  if (!Number.isSafeInteger(upperSeq) || upperSeq < lowerSeq) return { items: [], nextCursor: null };
  const statusClause = filter.status === undefined ? '' : ` AND status = ${filter.status === 'accepted' ? 1 : 0}`;
  let rows: PaymentRowFromDb[];
  if (filter.accountId === null) {
    rows = [];
  } else if (filter.accountId !== undefined) {
    const side = (column: string) =>
      database.all<PaymentRowFromDb>(
        `SELECT ${paymentColumns} FROM payments WHERE ${column} = ? AND seq BETWEEN ? AND ?${statusClause} ORDER BY seq DESC LIMIT ?`,
        [filter.accountId!, lowerSeq, upperSeq, limit + 1],
      );
    rows = mergeNewestFirst(side('debtor_id'), side('creditor_id'), limit + 1);
  } else {
    rows = database.all<PaymentRowFromDb>(
      `SELECT ${paymentColumns} FROM payments WHERE seq BETWEEN ? AND ?${statusClause} ORDER BY seq DESC LIMIT ?`,
      [lowerSeq, upperSeq, limit + 1],
    );
  }
  const page = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? String(page[page.length - 1].seq) : null;
  return { items: page.map((row) => toPaymentRecord(row, pending)), nextCursor };
}

/** The smallest seq received at or after `atMs` (one past the last when none is). */
export function firstSeqAtOrAfter(database: SqliteDatabase, atMs: number): number {
  let low = 1;
  let high = Number(database.value('SELECT COALESCE(MAX(seq), 0) FROM payments')) + 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const receivedAtMs = Number(database.value('SELECT received_at_ms FROM payments WHERE seq = ?', [middle]));
    if (receivedAtMs < atMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

function mergeNewestFirst<Row extends { seq: number }>(left: Row[], right: Row[], limit: number): Row[] {
  const merged: Row[] = [];
  let leftIndex = 0;
  let rightIndex = 0;
  while (merged.length < limit && (leftIndex < left.length || rightIndex < right.length)) {
    const takeLeft = rightIndex >= right.length || (leftIndex < left.length && left[leftIndex].seq > right[rightIndex].seq);
    merged.push(takeLeft ? left[leftIndex++] : right[rightIndex++]);
  }
  return merged;
}

/**
 * An account's posted transfers, newest first, with the balance after each.
 * The cursor carries the balance before the oldest entry shown, so the next
 * page continues the running balance without summing the whole history.
 */
export function accountStatement(
  database: SqliteDatabase,
  account: { id: number; code: string; balanceMinor: number },
  limit: number,
  cursor: string | null | undefined,
): Page<StatementEntry> {
  let beforeSeq = Number.MAX_SAFE_INTEGER;
  let balanceAfterMinor = account.balanceMinor;
  if (cursor) {
    const [seqText, balanceText] = cursor.split(':');
    beforeSeq = Number(seqText);
    balanceAfterMinor = Number(balanceText);
    if (!Number.isSafeInteger(beforeSeq) || !Number.isSafeInteger(balanceAfterMinor)) return { items: [], nextCursor: null };
  }
  const side = (column: string, params: Params) =>
    database.all<PaymentRowFromDb>(
      `SELECT ${paymentColumns} FROM payments WHERE ${column} = ? AND seq < ? AND status = 1 ORDER BY seq DESC LIMIT ?`,
      params,
    );
  const params = [account.id, beforeSeq, limit + 1];
  const rows = mergeNewestFirst(side('debtor_id', params), side('creditor_id', params), limit + 1);
  const items: StatementEntry[] = [];
  for (const row of rows.slice(0, limit)) {
    const credited = row.creditor_code === account.code;
    const amountMinor = credited ? row.amount_minor : -row.amount_minor;
    items.push({
      paymentId: row.payment_id,
      counterparty: credited ? row.debtor_code : row.creditor_code,
      reference: row.reference,
      amountMinor,
      balanceAfterMinor,
      receivedAtMs: row.received_at_ms,
    });
    balanceAfterMinor -= amountMinor;
  }
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last === undefined ? null : `${last.seq}:${balanceAfterMinor}` };
}
