import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvLine, resultsHeader } from '../../../shared/batch';
import { sentenceFor, type ReasonCode } from '../../../shared/codes';
import type { PaymentRow } from '../records';
import type { SqliteDatabase } from '../storage/sqlite';
import { resultsPage } from './batch-results-query';

/** Rows read per query while writing a results file: large enough to stream, small enough to bound memory. */
const resultRowsPerRead = 10_000;

/** One payment of the batch as a results line; both ways of writing the file go through here. */
function resultLine(
  line: number, paymentId: string, debtor: string, creditor: string, amountMinor: number, currency: string, reference: string,
  status: number, code: string, message: string | null,
): string {
  const outcome = status === 1 ? 'accepted' : 'rejected';
  return csvLine([line, paymentId, debtor, creditor, amountMinor, currency, reference, outcome, code, message ?? sentenceFor(code as ReasonCode)]);
}

/**
 * Every row of the batch in file order (payments, and rows refused before payment with status "refused"), as CSV with cells a spreadsheet
 * will not run. Reads plain row arrays by seq range straight from the table
 * (seq order is line order within a batch): a million rows in about two seconds.
 */
export async function writeResults(database: SqliteDatabase, batchId: string, outputPath: string): Promise<void> {
  const range = batchRange(database, batchId);
  const output = createWriteStream(outputPath);
  const write = async (text: string) => {
    if (!output.write(text)) await once(output, 'drain');
  };
  await write(csvLine(resultsHeader));
  if (range.refused > 0) await writeMergedResults(database, { id: batchId, ...range }, write);
  else await writePaymentResults(database, batchId, range, write);
  output.end();
  await once(output, 'close');
}

/** Only payments: plain row arrays by seq range, the fast path for a batch with no refused rows. */
async function writePaymentResults(database: SqliteDatabase, batchId: string, range: BatchRange, write: (text: string) => Promise<void>) {
  const sql = `SELECT line, payment_id, debtor_code, creditor_code, amount_minor, currency, reference, status, code, message
    FROM payments WHERE seq >= ? AND seq < ? AND batch_id = ? ORDER BY seq`;
  for (let fromSeq = range.first_seq ?? 1; range.last_seq !== null && fromSeq <= range.last_seq; fromSeq += resultRowsPerRead) {
    let text = '';
    for (const cells of database.rows(sql, [fromSeq, fromSeq + resultRowsPerRead, batchId])) {
      text += resultLine(...(cells as Parameters<typeof resultLine>));
    }
    await write(text);
  }
}

/** Payments and refused rows merged in line order, a page at a time. */
async function writeMergedResults(database: SqliteDatabase, range: BatchRange & { id: string }, write: (text: string) => Promise<void>) {
  let cursor: string | null = null;
  do {
    const page = resultsPage(database, range, { limit: resultRowsPerRead, cursor });
    if (!page.ok) throw new Error(page.message);
    let text = '';
    for (const row of page.value.items) {
      text += csvLine([
        row.line, row.paymentId, row.debtor, row.creditor, row.amountMinor, row.currency, row.reference,
        row.refused ? 'refused' : row.status, row.code, row.message,
      ]);
    }
    await write(text);
    cursor = page.value.nextCursor;
  } while (cursor !== null);
}

interface BatchRange {
  first_seq: number | null;
  last_seq: number | null;
  paid: number;
  refused: number;
}

function batchRange(database: SqliteDatabase, batchId: string): BatchRange {
  const range = database.get<BatchRange>(
    `SELECT first_seq, last_seq, accepted + rejected AS paid,
       (SELECT COUNT(*) FROM batch_refused_rows WHERE batch_refused_rows.batch_id = batches.id) AS refused
     FROM batches WHERE id = ?`,
    [batchId],
  );
  if (range === undefined) throw new Error(`NOT_FOUND: no batch ${batchId} in this ledger`);
  return range;
}

/**
 * The results file written as the batch runs: each chunk's rows are appended
 * once the chunk is durable, so the file is ready when the batch ends instead
 * of being read back from the ledger afterwards. `finish` checks that the
 * file saw every payment of the batch, in order; when it did not (a batch
 * resumed after a pause or a crash, whose earlier rows this writer never saw),
 * it writes the file again from the ledger.
 */
export class ResultsWriter {
  private readonly output: WriteStream;
  private firstSeq: number | null = null;
  private lastSeq = 0;
  private rowsWritten = 0;
  private inOrder = true;
  private failure: Error | null = null;

  constructor(private readonly outputPath: string) {
    this.output = createWriteStream(outputPath);
    // Kept for finish(): a path that cannot be written must not bring down the batch that is running.
    this.output.on('error', (error) => (this.failure ??= error));
    this.output.write(csvLine(resultsHeader));
  }

  /** Appends one durable chunk's payments (in seq order). */
  append(rows: readonly PaymentRow[]): void {
    if (rows.length === 0 || this.failure !== null) return;
    // Single payments take seqs between chunks, so a batch's seqs rise but are not contiguous.
    if (rows[0].seq <= this.lastSeq) this.inOrder = false;
    this.firstSeq ??= rows[0].seq;
    let text = '';
    for (const row of rows) text += resultLine(row.l ?? 0, row.id, row.d, row.c, row.a, row.cur, row.ref, row.s, row.code, row.msg);
    this.lastSeq = rows[rows.length - 1].seq;
    this.rowsWritten += rows.length;
    this.output.write(text);
  }

  /** Closes the file as it stands: exactly the chunks that were appended. */
  async close(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    this.output.end();
    await once(this.output, 'close');
  }

  /** Closes the file, and writes it again from the ledger when it missed any of the batch's payments. */
  async finish(database: SqliteDatabase, batchId: string): Promise<void> {
    if (this.failure === null) {
      this.output.end();
      await once(this.output, 'close');
    }
    if (this.failure !== null) throw this.failure;
    const range = batchRange(database, batchId);
    // Refused rows are not in the chunks' payments: a batch with any is written again in line order from the ledger.
    const complete = this.inOrder && this.rowsWritten === range.paid && this.firstSeq === range.first_seq && range.refused === 0;
    if (!complete) await writeResults(database, batchId, this.outputPath);
  }
}
