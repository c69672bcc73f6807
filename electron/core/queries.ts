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
 * becomes a `seq` range by binary search (seqRangeReceivedBetween); the stamps
 * are checked too, since after a clock jump a seq range may hold payments
 * stamped outside the time range.
 */
export function listPayments(database: SqliteDatabase, filter: PaymentFilter, pending?: PendingLatencies): Page<PaymentRecord> {
  const limit = filter.limit ?? defaultPageSize;
  const timed = filter.fromMs !== undefined || filter.toMs !== undefined;
  const fromMs = filter.fromMs ?? Number.MIN_SAFE_INTEGER;
  const toMs = filter.toMs ?? Number.MAX_SAFE_INTEGER - 1;
  const range = timed ? seqRangeReceivedBetween(database, fromMs, toMs) : { firstSeq: 1, lastSeq: Number.MAX_SAFE_INTEGER };
  const lowerSeq = range.firstSeq;
  const upperSeq = Math.min(range.lastSeq, filter.cursor ? Number(filter.cursor) - 1 : Number.MAX_SAFE_INTEGER);
  if (!Number.isSafeInteger(upperSeq) || upperSeq < lowerSeq) return { items: [], nextCursor: null };
  const statusClause = filter.status === undefined ? '' : ` AND status = ${filter.status === 'accepted' ? 1 : 0}`;
  // Within the seq range, a payment stamped outside the time range (a clock jump) is left out.
  const timeClause = ' AND received_at_ms BETWEEN ? AND ?';
  let rows: PaymentRowFromDb[];
  if (filter.accountId === null) {
    rows = [];
  } else if (filter.accountId !== undefined) {
    const side = (column: string) =>
      database.all<PaymentRowFromDb>(
        `SELECT ${paymentColumns} FROM payments WHERE ${column} = ? AND seq BETWEEN ? AND ?${timeClause}${statusClause} ORDER BY seq DESC LIMIT ?`,
        [filter.accountId!, lowerSeq, upperSeq, fromMs, toMs, limit + 1],
      );
    rows = mergeNewestFirst(side('debtor_id'), side('creditor_id'), limit + 1);
  } else {
    rows = database.all<PaymentRowFromDb>(
      `SELECT ${paymentColumns} FROM payments WHERE seq BETWEEN ? AND ?${timeClause}${statusClause} ORDER BY seq DESC LIMIT ?`,
      [lowerSeq, upperSeq, fromMs, toMs, limit + 1],
    );
  }
  const page = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? String(page[page.length - 1].seq) : null;
  return { items: page.map((row) => toPaymentRecord(row, pending)), nextCursor };
}

export interface SeqRange {
  firstSeq: number;
  lastSeq: number;
}

/**
 * The smallest and largest seq of the payments received in [fromMs, toMs].
 * Stamps are the clock as read: they ascend with seq within each stretch
 * between two clock steps (payment_clock_steps, written when a stamp is
 * earlier than the one before), so each stretch is binary-searched on its
 * own. A ledger whose clock never went back is one stretch: about forty point
 * reads on a million payments. When no payment is in range, the range is
 * empty (firstSeq = lastSeq + 1) where the time range falls in the newest
 * stretch, as reconciliation's opening and closing balances expect.
 */
export function seqRangeReceivedBetween(database: SqliteDatabase, fromMs: number, toMs: number): SeqRange {
  const lastSeq = Number(database.value('SELECT COALESCE(MAX(seq), 0) FROM payments'));
  const starts = [1, ...database.all<{ seq: number }>('SELECT seq FROM payment_clock_steps ORDER BY seq').map((row) => row.seq)];
  let found: SeqRange | null = null;
  let newest: SeqRange = { firstSeq: 1, lastSeq: 0 };
  for (let index = 0; index < starts.length; index++) {
    const stretchEnd = index + 1 < starts.length ? starts[index + 1] - 1 : lastSeq;
    const first = firstSeqAtOrAfter(database, fromMs, starts[index], stretchEnd);
    newest = { firstSeq: first, lastSeq: firstSeqAtOrAfter(database, toMs + 1, first, stretchEnd) - 1 };
    if (newest.firstSeq > newest.lastSeq) continue;
    found = found === null
      ? newest
      : { firstSeq: Math.min(found.firstSeq, newest.firstSeq), lastSeq: Math.max(found.lastSeq, newest.lastSeq) };
  }
  return found ?? newest;
}

/** Within a stretch of ascending stamps [lowSeq, highSeq]: the smallest seq received at or after `atMs` (highSeq + 1 when none is). */
function firstSeqAtOrAfter(database: SqliteDatabase, atMs: number, lowSeq: number, highSeq: number): number {
  let low = lowSeq;
  let high = highSeq + 1;
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
