import type { BatchResultRow } from '../../../shared/batch';
import type { ReasonCode } from '../../../shared/codes';
import type { Page, PaymentStatus } from '../../../shared/domain';
import { failure, success, type Result } from '../../../shared/result';
import { toPaymentRecord, type PendingLatencies } from '../queries';
import type { SqliteDatabase } from '../storage/sqlite';

/**
 * A batch's results in file order: its payments (seq order is line order
 * within a batch) merged with the rows refused before payment, which live in
 * their own table. Each side is read along its own key (seq, and batch id
 * plus line), so a page costs two short index walks however large the batch.
 * The cursor carries both positions: the last line shown and the last
 * payment seq shown.
 */

const paymentColumns = `seq, payment_id, debtor_code, creditor_code, amount_minor, currency, reference, status, code,
  message, channel, batch_id, line, received_at_ms,
  (SELECT plt_us FROM payment_latency WHERE payment_latency.seq = payments.seq) AS plt_us`;

interface RefusedRowFromDb {
  line: number;
  payment_id: string;
  debtor: string;
  creditor: string;
  amount_text: string;
  amount_minor: number | null;
  currency: string;
  reference: string;
  code: string;
  message: string;
  refused_at_ms: number;
}

export interface BatchRange {
  id: string;
  first_seq: number | null;
  last_seq: number | null;
}

export interface ResultsRequest {
  status?: PaymentStatus;
  limit: number;
  cursor?: string | null;
}

interface Cursor {
  line: number;
  seq: number;
}

function parseCursor(text: string | null | undefined, batch: BatchRange): Cursor | null {
  if (!text) return { line: 0, seq: (batch.first_seq ?? 1) - 1 };
  const match = /^(\d{1,15}):(\d{1,15})$/.exec(text);
  return match === null ? null : { line: Number(match[1]), seq: Number(match[2]) };
}

export function resultsPage(
  database: SqliteDatabase, batch: BatchRange, request: ResultsRequest, pending?: PendingLatencies,
): Result<Page<BatchResultRow>> {
  const cursor = parseCursor(request.cursor, batch);
  if (cursor === null) return failure('FF01', 'The cursor is not one PayDesk made.', 'cursor');
  const payments = paymentsAfter(database, batch, cursor, request, pending);
  const refused = request.status === 'accepted' ? [] : refusedAfter(database, batch.id, cursor.line, request.limit + 1);
  const items: BatchResultRow[] = [];
  let paymentIndex = 0;
  let refusedIndex = 0;
  let lastSeq = cursor.seq;
  while (items.length < request.limit && (paymentIndex < payments.length || refusedIndex < refused.length)) {
    const payment = payments[paymentIndex];
    const refusal = refused[refusedIndex];
    if (refusal === undefined || (payment !== undefined && payment.row.line < refusal.line)) {
      items.push(payment.row);
      lastSeq = payment.seq;
      paymentIndex++;
    } else {
      items.push(refusal);
      refusedIndex++;
    }
  }
  const more = paymentIndex < payments.length || refusedIndex < refused.length;
  const nextCursor = more ? `${items[items.length - 1].line}:${lastSeq}` : null;
  return success({ items, nextCursor });
}

function paymentsAfter(
  database: SqliteDatabase, batch: BatchRange, cursor: Cursor, request: ResultsRequest, pending?: PendingLatencies,
): { seq: number; row: BatchResultRow }[] {
  if (batch.first_seq === null || batch.last_seq === null) return [];
  const statusClause = request.status === undefined ? '' : ` AND status = ${request.status === 'accepted' ? 1 : 0}`;
  const rows = database.all<Parameters<typeof toPaymentRecord>[0]>(
    `SELECT ${paymentColumns} FROM payments WHERE seq > ? AND seq <= ? AND batch_id = ?${statusClause} ORDER BY seq LIMIT ?`,
    [cursor.seq, batch.last_seq, batch.id, request.limit + 1],
  );
  return rows.map((row) => {
    const record = toPaymentRecord(row, pending);
    return { seq: row.seq, row: { ...record, line: record.line ?? 0, amountText: '', refused: false } };
  });
}

function refusedAfter(database: SqliteDatabase, batchId: string, afterLine: number, limit: number): BatchResultRow[] {
  const rows = database.all<RefusedRowFromDb>(
    'SELECT * FROM batch_refused_rows WHERE batch_id = ? AND line > ? ORDER BY line LIMIT ?',
    [batchId, afterLine, limit],
  );
  return rows.map((row) => ({
    paymentId: row.payment_id, debtor: row.debtor, creditor: row.creditor, amountMinor: row.amount_minor, amountText: row.amount_text,
    currency: row.currency, reference: row.reference, status: 'rejected', code: row.code as ReasonCode, message: row.message,
    channel: 'batch', batchId, line: row.line, receivedAtMs: row.refused_at_ms, pltUs: null, refused: true,
  }));
}

/** Rows refused before payment in a batch (0 for batches run before refused rows were kept). */
export function refusedRowCount(database: SqliteDatabase, batchId: string): number {
  return Number(database.value('SELECT COUNT(*) FROM batch_refused_rows WHERE batch_id = ?', [batchId]) ?? 0);
}
